// The Kafka broker is killed with SIGKILL (no controlled shutdown, no flush) in the middle of an
// ingestion and started again on the same data directory: the producer re-sends what was not acked,
// the sink rides out the outage, and ClickHouse ends with every event exactly once. A private
// broker (own CHISO_DATA_DIR and ports) takes the blow; the shared one stays up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../infra/clickhouse/store.ts';
import { startBroker } from '../../infra/kafka/broker.ts';
import { stackPaths } from '../../infra/paths.ts';
import { isAlive, readPid } from '../../infra/process.ts';
import type { Config } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { finishedLater, mixedEvents, produceEvents, rawCounts, testKafka, waitUntil } from '../integration/sink-fixtures.ts';
import { expectedStatuses, latestStatuses } from './reconcile.ts';
import { beside, eventFeed } from './clean-run.ts';
import { type PrivateBrokerStack, startPrivateBrokerStack } from './sink-stack.ts';

const log = createLogger('silent');
let stack: PrivateBrokerStack;
let cfg: Config;
let store: Store;
let prefix: string;

beforeAll(async () => {
  stack = await startPrivateBrokerStack('chiso-fault-broker', log);
  ({ cfg, store, prefix } = stack);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('fault: the broker killed with SIGKILL mid-ingestion', () => {
  it('loses nothing and doubles nothing once it is restarted', { timeout: 400_000 }, async () => {
    const kafka = testKafka(cfg.kafka.brokers);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const events = mixedEvents(12_000, 'BK');
    const updates = finishedLater(events, 300);
    const all = [...events, ...updates];
    const half = Math.floor(all.length / 2);
    await produceEvents(producer, prefix, all.slice(0, half), 500, 60);
    await waitUntil(async () => (await rawCounts(store)).count > 0, 60_000, 'the sink wrote nothing before the kill');

    const pidFile = stackPaths(cfg).kafka.pidFile;
    const pid = readPid(pidFile);
    expect(pid).toBeDefined();
    // The second half is being sent while the broker dies: some chunks are in flight at the kill.
    const rest = produceEvents(producer, prefix, all.slice(half), 500, 120);
    process.kill(pid as number, 'SIGKILL');
    await waitUntil(async () => !isAlive(pid as number), 30_000, 'the broker survived SIGKILL');
    const written = (await rawCounts(store)).count;
    await startBroker(cfg, () => undefined);
    await rest;
    await producer.disconnect();

    await stack.drained(all.length, 240_000);

    expect(written).toBeLessThan(all.length); // the kill did fall in the middle
    expect(await rawCounts(store)).toEqual({ count: all.length, unique: all.length });
    expect(await latestStatuses(store)).toEqual(expectedStatuses(all));

    // Every indicator value equals a clean run's of the same events.
    const { faulted, clean } = await beside(cfg, store, eventFeed(cfg, all), log);
    expect(faulted.length).toBeGreaterThan(100);
    expect(faulted).toEqual(clean);
  });
});
