// ClickHouse refuses inserts for a while (a latest-state table detached for longer than the group's
// session timeout): the sink commits nothing, keeps its group membership by heart-beating, retries
// the same rows with backoff and, once the table is back, writes everything once.
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import type { Sink } from '../../services/sink/index.ts';
import { dossier, finishedLater, mixedEvents, produceEvents, rawCounts, waitUntil } from '../integration/sink-fixtures.ts';
import { expectedStatuses, latestStatuses } from './reconcile.ts';
import { beside, eventFeed } from './clean-run.ts';
import { type SinkStack, startSinkStack } from './sink-stack.ts';

const log = createLogger('error');
let stack: SinkStack;
let store: Store;
let sink: Sink;
let producer: Producer;
let admin: Admin;
let prefix: string;
let groupId: string;

beforeAll(async () => {
  stack = await startSinkStack(log, { lingerMs: 200, backoffMs: { initial: 250, max: 4000 } });
  ({ store, sink, producer, admin, prefix, groupId } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

const lag = () => stack.lag();
const members = async () => (await admin.describeGroups([groupId])).groups[0]?.members.map((m) => m.memberId) ?? [];

describe('sink: ClickHouse failing inserts for a while', () => {
  it('waits, keeps its group membership, and resumes without loss', { timeout: 240_000 }, async () => {
    // Warm-up: the group is formed and one event is written.
    const first = dossier('HS-W', 2, '2025-03-01T08:00:00+07:00');
    await produceEvents(producer, prefix, [first]);
    await waitUntil(async () => (await rawCounts(store)).count === 1, 60_000, 'warm-up event not written');
    const before = await members();
    expect(before).toHaveLength(1);
    const touched = async () => Number((await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.touched_days`))[0]?.c);
    const touchedBefore = await touched();

    await store.client.command({ query: `DETACH TABLE ${store.db}.dossiers` });
    const detachedAt = Date.now();
    const events = mixedEvents(3000, 'D');
    const updates = finishedLater(events, 50);
    await produceEvents(producer, prefix, [...events, ...updates]);
    const accepted = 1 + events.length + updates.length;

    // Longer than the 30 s session timeout, and several attempts: nothing committed, still a member.
    await waitUntil(async () => Date.now() - detachedAt > 35_000 && (sink.metrics().sink_insert_errors_total ?? 0) >= 3, 90_000, 'no retries seen');
    const health = await sink.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/retrying/);
    expect(await lag()).toBe(events.length + updates.length);
    expect((await rawCounts(store)).count).toBe(1);
    // No touched day either: the recomputation must never see a day before the rows that touched it.
    expect(await touched()).toBe(touchedBefore);
    expect(await members()).toEqual(before);

    await store.client.command({ query: `ATTACH TABLE ${store.db}.dossiers` });
    await waitUntil(async () => (await rawCounts(store)).count >= accepted && (await lag()) === 0, 90_000, async () => JSON.stringify(await rawCounts(store)));
    expect(await rawCounts(store)).toEqual({ count: accepted, unique: accepted });
    expect(await members()).toEqual(before);

    expect(await latestStatuses(store)).toEqual(expectedStatuses([first, ...events, ...updates]));
    const [docs] = await select<{ n: string }>(store, `SELECT count() AS n FROM ${store.db}.documents FINAL`);
    expect(Number(docs?.n)).toBe(events.filter((e) => e.entity === 'documents').length);
    expect((await sink.health()).ok).toBe(true);
    // Every indicator value equals a clean run's of the same events.
    const { faulted, clean } = await beside(stack.cfg, store, eventFeed(stack.cfg, [first, ...events, ...updates]), log);
    expect(faulted.length).toBeGreaterThan(100);
    expect(faulted).toEqual(clean);
  });
});
