// Two sink members in one group on the real broker and chDB, the partitions moving between them
// while the stream flows and their writes are in flight: a second member joins mid-stream (a
// rebalance), then the first one stops cleanly mid-stream (another). The queue writes while kafkajs
// fetches on, so these are the moments when a chunk could be written twice or committed unwritten:
// every event is in raw_events once and the latest state is exact. And the group ends with every
// written message committed (lag 0): a flush fenced by a rebalance must not keep the partitions it
// held from being committed in the next generation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import { createLogger } from '../../lib/logger.ts';
import { topics } from '../../schemas/topics.ts';
import { measureLag } from '../../services/sink/health.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { latestStatuses } from '../faults/reconcile.ts';
import { randomName, testConfig } from '../support/env.ts';
import { dossier, mixedEvents, produceEvents, rawCounts, testKafka, waitUntil } from './sink-fixtures.ts';

const prefix = `${randomName('p')}.`;
const groupId = randomName('sink');
const cfg = testConfig({ KAFKA_TOPIC_PREFIX: prefix });
const log = createLogger('warn');
const kafka = testKafka(cfg.kafka.brokers);
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
const admin = kafka.admin();
// Small flushes, so that many are in flight when the group rebalances.
const member = () => createSink({ cfg, store, log, groupId, options: { maxRows: 2_000, minRows: 1_000, maxQueuedRows: 6_000, lingerMs: 100 } });
let store: Store;
const sinks: Sink[] = [];

beforeAll(async () => {
  store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  await ensureTopics(createKafka(cfg, log, 'sink-rebalance-test'), prefix);
  await producer.connect();
  await admin.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
  for (const s of sinks) await s.stop();
  await store.close();
});

describe('sink: partitions moving between two members mid-stream', () => {
  it('writes every event once, commits nothing unwritten and commits everything written', { timeout: 300_000 }, async () => {
    const events = mixedEvents(40_000, 'RB');
    // Later versions of some dossiers, so that the latest state depends on the order being kept.
    const updates = events.filter((e) => e.entity === 'dossiers').slice(0, 1_000).map((e) => dossier(e.record_id, 10, '2025-04-01T10:00:00+07:00', e.unit_code));
    const all = [...events, ...updates];
    let sent = 0;
    const streaming = (async () => {
      for (; sent < all.length; sent += 1_000) {
        await produceEvents(producer, prefix, all.slice(sent, sent + 1_000));
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    const first = member();
    sinks.push(first);
    await first.start();
    await waitUntil(async () => (await rawCounts(store)).count > 5_000, 120_000, 'the first member wrote nothing');
    // A second member joins: the group rebalances while the first one has flushes in flight.
    const second = member();
    sinks.push(second);
    await second.start();
    await waitUntil(async () => (await rawCounts(store)).count > 15_000, 120_000, async () => `stuck at ${(await rawCounts(store)).count} events after the second member joined`);
    expect(sent, 'the stream should still be flowing when the first member leaves').toBeLessThan(all.length);
    // The first member leaves cleanly mid-stream: its queue is written and committed, the group rebalances again.
    await first.stop();
    sinks.splice(sinks.indexOf(first), 1);
    await streaming;

    await waitUntil(async () => (await rawCounts(store)).count >= all.length, 120_000, async () => JSON.stringify(await rawCounts(store)));
    // The counts are final once the group has committed every message (its committed offsets are the
    // topics' end offsets: nothing is left to be delivered again) and the remaining member has nothing
    // queued or being written: only then could a doubled write not land after the assertion.
    const behind = async () => Object.entries(await measureLag(admin, groupId, topics(prefix).all, 5_000)).filter(([, n]) => n > 0);
    await waitUntil(
      async () => (await behind()).length === 0 && (await second.health()).writing === false,
      60_000,
      async () => `partitions whose committed offset is not their end offset: ${JSON.stringify(await behind())}; sink writing: ${String((await second.health()).writing)}`,
    );
    expect(await rawCounts(store)).toEqual({ count: all.length, unique: all.length });
    const want = new Map<string, number>();
    for (const e of all) if (e.entity === 'dossiers') want.set(e.record_id, e.data.status);
    expect(await latestStatuses(store)).toEqual([...want].map(([id, st]) => `${id}:${st}`).sort());
  });
});
