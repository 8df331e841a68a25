// The Kafka broker is stopped for 20 seconds in the middle of a large ingestion and started again:
// the producer and the sink ride it out, and ClickHouse ends with every event exactly once. The test
// runs its own private broker (on its own data directory and ports): the shared one stays up.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import { startBroker, stopBroker } from '../../infra/kafka/broker.ts';
import type { Config } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { finishedLater, mixedEvents, produceEvents, rawCounts, testKafka, waitUntil } from '../integration/sink-fixtures.ts';
import { expectedStatuses, latestStatuses } from './reconcile.ts';
import { beside, eventFeed } from './clean-run.ts';
import { type PrivateBrokerStack, startPrivateBrokerStack } from './sink-stack.ts';

const log = createLogger('error');
let stack: PrivateBrokerStack;
let cfg: Config;
let store: Store;
let prefix: string;

beforeAll(async () => {
  stack = await startPrivateBrokerStack('chiso-sink-broker', log);
  ({ cfg, store, prefix } = stack);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('sink: the broker stopped for 20 s mid-ingestion', () => {
  it('loses nothing and doubles nothing', { timeout: 400_000 }, async () => {
    const kafka = testKafka(cfg.kafka.brokers);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const events = mixedEvents(50_000, 'B');
    const updates = finishedLater(events, 1000);
    const all = [...events, ...updates];
    const half = Math.floor(all.length / 2);
    await produceEvents(producer, prefix, all.slice(0, half), 1000, 60);
    await waitUntil(async () => (await rawCounts(store)).count > 0, 60_000, 'the sink wrote nothing before the outage');

    await stopBroker(cfg);
    const rest = produceEvents(producer, prefix, all.slice(half), 1000, 120);
    const written = (await rawCounts(store)).count;
    await sleep(20_000); // the outage itself
    await startBroker(cfg, () => undefined);
    await rest;
    await producer.disconnect();

    await stack.drained(all.length, 240_000);

    expect(written).toBeLessThan(all.length); // the outage did fall in the middle
    expect(await rawCounts(store)).toEqual({ count: all.length, unique: all.length });
    const [state] = await select<{ n: string; finished: string }>(
      store,
      `SELECT count() AS n, countIf(status = 10 AND toDate(finished_at) = '2025-04-01') AS finished FROM ${store.db}.dossiers FINAL`,
    );
    expect(Number(state?.n)).toBe(new Set(all.filter((e) => e.entity === 'dossiers').map((e) => e.record_id)).size);
    expect(Number(state?.finished)).toBe(updates.length);
    expect(await latestStatuses(store)).toEqual(expectedStatuses(all));
    // Every indicator value equals a clean run's of the same events.
    const { faulted, clean } = await beside(cfg, store, eventFeed(cfg, all), log);
    expect(faulted.length).toBeGreaterThan(100);
    expect(faulted).toEqual(clean);
  });
});
