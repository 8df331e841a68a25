// A large replay on the real broker and chDB: an export of 6,000 dossiers written, then the same
// events again at new offsets while the sink is away. The restarted sink fetches the whole replay at
// once, so its known-id check gets more than 5,000 ids in a flush: the one-query prefix form of the
// check (services/sink/write.ts). Nothing may be doubled, and the replay adds no touched day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink } from '../../services/sink/index.ts';
import { randomName, testConfig } from '../support/env.ts';
import { dossier, produceEvents, rawCounts, testKafka, waitUntil } from './sink-fixtures.ts';

const prefix = `${randomName('p')}.`;
const cfg = testConfig({ KAFKA_TOPIC_PREFIX: prefix });
const log = createLogger('warn');
const producer = testKafka(cfg.kafka.brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
const groupId = randomName('sink');
const EVENTS = 6000;
let store: Store;

beforeAll(async () => {
  store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await store.close();
});

const touchedRows = async () => Number((await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.touched_days`))[0]?.c ?? 0);

describe('sink: a large replay', () => {
  it('drops every replayed event in a few large flushes and doubles nothing', async () => {
    const events = Array.from({ length: EVENTS }, (_, i) => dossier(`HS-${i}`, 1 + (i % 10), `2025-03-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00+07:00`, `U${i % 7}`));
    const first = createSink({ cfg, store, log, groupId });
    await first.start();
    await produceEvents(producer, prefix, events);
    await waitUntil(async () => (await rawCounts(store)).count >= EVENTS, 60_000, async () => JSON.stringify(await rawCounts(store)));
    await first.stop();
    const touched = await touchedRows();

    // The replay: the same event ids at new offsets, produced while no sink runs.
    await produceEvents(producer, prefix, events);
    const second = createSink({ cfg, store, log, groupId });
    await second.start();
    try {
      await waitUntil(async () => (second.metrics().sink_duplicates_dropped_total ?? 0) >= EVENTS, 60_000, () => JSON.stringify(second.metrics()));
      const m = second.metrics();
      expect(m.sink_events_written_total).toBe(0);
      // The replay came in few flushes (its partitions' batches queued together), not one per batch.
      expect(m.sink_flushes_total).toBeLessThanOrEqual(2);
    } finally {
      await second.stop();
    }
    expect(await rawCounts(store)).toEqual({ count: EVENTS, unique: EVENTS });
    expect(await touchedRows()).toBe(touched);
    const [latest] = await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.dossiers FINAL`);
    expect(Number(latest?.c)).toBe(EVENTS);
  });
});
