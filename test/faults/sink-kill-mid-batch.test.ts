// The sink process is SIGKILLed from outside at an arbitrary point of a live stream (as the OOM
// killer or a power cut would), not at a hook of its own like test/faults/sink-crash.test.ts:
// twice, each time right after the group committed a batch, while the next one is being written. A final sink drains the rest; ClickHouse holds every event once, in its latest state.
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import { topics } from '../../schemas/topics.ts';
import { createLogger } from '../../lib/logger.ts';
import { childSinkRig } from './sink-child.ts';
import { whileCoordinatorLoads } from './sink-stack.ts';
import { finishedLater, mixedEvents, produceEvents, rawCounts, waitUntil } from '../integration/sink-fixtures.ts';
import { expectedStatuses, latestStatuses } from './reconcile.ts';
import { beside, eventFeed } from './clean-run.ts';

const { cfg, prefix, groupId, admin, producer, lag, startSink, close } = childSinkRig();
let store: Store | undefined;

/** Offsets the sink group has committed, summed over every partition of every topic. */
async function committed(): Promise<number> {
  const all = await whileCoordinatorLoads(() => admin.fetchOffsets({ groupId, topics: topics(prefix).all }));
  return all.flatMap((t) => t.partitions).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

afterAll(async () => {
  await close();
  await store?.close();
});

describe('fault: the sink killed mid-batch', () => {
  it('a restarted sink writes every event once', { timeout: 400_000 }, async () => {
    await admin.connect();
    await producer.connect();
    await ensureTopics(createKafka(cfg, createLogger('silent'), 'sink-kill-test'), prefix);
    // More events than one flush holds (50,000 rows): a restarted sink that finds the whole stream
    // already on Kafka still commits a first flush and is killed while writing the next.
    const events = mixedEvents(60_000, 'MB');
    const updates = finishedLater(events, 500);
    const all = [...events, ...updates];
    const accepted = all.length;

    // A live stream, paced while the kills happen so that the sink writes many small batches (one
    // per linger) instead of a single large backlog; then the rest at once.
    let kills = 0;
    const streaming = (async () => {
      for (let i = 0; i < all.length; i += 500) {
        await produceEvents(producer, prefix, all.slice(i, i + 500));
        if (kills < 2) await new Promise((r) => setTimeout(r, 400));
      }
    })();

    for (let kill = 1; kill <= 2; kill++) {
      const before = await committed();
      const run = startSink();
      // The group committed a batch of this sink: it is mid-stream, writing the next one.
      await waitUntil(async () => (await committed()) > before, 150_000, `no commit before kill ${kill}`);
      run.child.kill('SIGKILL');
      const exit = await run.exited;
      expect(exit.signal, exit.log.slice(-2000)).toBe('SIGKILL');
      kills++;
    }
    await streaming;
    expect(await committed(), 'the kills came after the end of the stream').toBeLessThan(accepted);

    const run = startSink();
    await waitUntil(async () => (await lag()) === 0, 200_000, async () => `lag ${await lag()}`);
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.code, exit.log.slice(-2000)).toBe(0);

    store = await openStore(cfg.clickhouse);
    await migrate(store, createLogger('silent'));
    expect(await rawCounts(store)).toEqual({ count: accepted, unique: accepted });
    expect(await latestStatuses(store)).toEqual(expectedStatuses(all));

    // Every indicator value equals a clean run's of the same events.
    const { faulted, clean } = await beside(cfg, store, eventFeed(cfg, all), createLogger('silent'));
    expect(faulted.length).toBeGreaterThan(100);
    expect(faulted).toEqual(clean);
  });
});
