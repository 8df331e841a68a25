// ClickHouse refuses every write to raw_events for a while, as a full or read-only disk would, while
// the sink is writing: the latest-state tables of a batch are written first, raw_events fails, the
// sink retries the whole batch without committing, and once writes are accepted again every event is
// in raw_events once and the latest state is exact (the re-written latest-state rows double nothing).
//
// Why not `chmod -R a-w` on the chDB directory: the tests run as root (here and in CI containers),
// and root writes through file permissions, so chmod refuses nothing. Instead the table's
// parts_to_throw_insert is set to 1: every insert then fails with TOO_MANY_PARTS, the error a disk
// that cannot keep up produces, through the same insert path. (test/faults/sink-clickhouse-down
// covers a latest-state table detached for longer than the group's session timeout.)
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import type { Sink } from '../../services/sink/index.ts';
import { dossier, finishedLater, mixedEvents, produceEvents, rawCounts, waitUntil } from '../integration/sink-fixtures.ts';
import { expectedStatuses, latestStatuses } from './reconcile.ts';
import { beside, eventFeed } from './clean-run.ts';
import { type SinkStack, startSinkStack } from './sink-stack.ts';

const log = createLogger('silent');
let stack: SinkStack;
let store: Store;
let sink: Sink;
let producer: Producer;
let prefix: string;

beforeAll(async () => {
  stack = await startSinkStack(log, { lingerMs: 200, backoffMs: { initial: 250, max: 2000 } });
  ({ store, sink, producer, prefix } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

const lag = () => stack.lag();

describe('fault: ClickHouse refusing writes to raw_events for a while', () => {
  it('commits nothing meanwhile, then writes every event once', { timeout: 240_000 }, async () => {
    // Warm-up: the group is formed and raw_events has a part (the refusal counts parts).
    const first = dossier('HS-RO', 2, '2025-03-01T08:00:00+07:00');
    await produceEvents(producer, prefix, [first]);
    await waitUntil(async () => (await rawCounts(store)).count === 1, 60_000, 'warm-up event not written');

    await store.client.command({ query: `ALTER TABLE ${store.db}.raw_events MODIFY SETTING parts_to_throw_insert = 1` });
    const events = mixedEvents(4000, 'RO');
    const updates = finishedLater(events, 100);
    const all = [first, ...events, ...updates];
    await produceEvents(producer, prefix, [...events, ...updates]);

    await waitUntil(async () => (sink.metrics().sink_insert_errors_total ?? 0) >= 4, 90_000, 'no refused insert seen');
    expect((await sink.health()).ok).toBe(false);
    expect(await lag()).toBe(events.length + updates.length);
    expect((await rawCounts(store)).count).toBe(1);

    await store.client.command({ query: `ALTER TABLE ${store.db}.raw_events RESET SETTING parts_to_throw_insert` });
    await waitUntil(async () => (await rawCounts(store)).count >= all.length && (await lag()) === 0, 120_000, async () => JSON.stringify(await rawCounts(store)));
    expect(await rawCounts(store)).toEqual({ count: all.length, unique: all.length });
    expect(await latestStatuses(store)).toEqual(expectedStatuses(all));
    const [docs] = await store.client.query({ query: `SELECT count() AS n FROM ${store.db}.documents FINAL`, format: 'JSONEachRow' }).then((r) => r.json<{ n: string }>());
    expect(Number(docs?.n)).toBe(events.filter((e) => e.entity === 'documents').length);
    expect((await sink.health()).ok).toBe(true);

    // Every indicator value equals a clean run's of the same events.
    const { faulted, clean } = await beside(stack.cfg, store, eventFeed(stack.cfg, all), log);
    expect(faulted.length).toBeGreaterThan(100);
    expect(faulted).toEqual(clean);
  });
});
