// The sink set-ups the fault cases share: a sink on the shared test broker with its own topics
// (random prefix), group and chDB database (startSinkStack), or a private broker of its own with its
// own data directory and ports, for the cases that stop or kill the broker while the shared one stays
// up for everyone else (startPrivateBrokerStack); and the group's lag, which every case waits on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { inject } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { startBroker, stopBroker } from '../../infra/kafka/broker.ts';
import { type Config, loadConfig } from '../../schemas/config.ts';
import { topics } from '../../schemas/topics.ts';
import type { Logger } from '../../lib/logger.ts';
import { measureLag } from '../../services/sink/health.ts';
import { createSink, type Sink, type SinkOptions } from '../../services/sink/index.ts';
import { randomName, testConfig } from '../support/env.ts';
import { freePortRun } from '../support/ports.ts';
import { rawCounts, testKafka, waitUntil } from '../integration/sink-fixtures.ts';

/** `fn`, again while the group coordinator answers a retriable error (a fresh or busy broker still loading its groups), for up to 30 s. */
export async function whileCoordinatorLoads<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 60 || !(e as { retriable?: boolean }).retriable) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Messages of the prefix's topics the group has not committed, summed. */
export async function totalLag(admin: Admin, groupId: string, prefix: string): Promise<number> {
  return whileCoordinatorLoads(async () => Object.values(await measureLag(admin, groupId, topics(prefix).all, 5000)).reduce((a, b) => a + b, 0));
}

/** A migrated store of the config's database and a started sink over it. */
async function storeAndSink(cfg: Config, log: Logger, groupId: string, options?: Partial<SinkOptions>): Promise<{ store: Store; sink: Sink }> {
  const store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  const sink = createSink({ cfg, store, log, groupId, ...(options ? { options } : {}) });
  await sink.start();
  return { store, sink };
}

export interface SinkStack {
  cfg: Config;
  store: Store;
  sink: Sink;
  prefix: string;
  groupId: string;
  producer: Producer;
  admin: Admin;
  /** The sink group's total lag over the stack's topics. */
  lag(): Promise<number>;
  stop(): Promise<void>;
}

export async function startSinkStack(log: Logger, options: Partial<SinkOptions>): Promise<SinkStack> {
  const prefix = `${randomName('p')}.`;
  const cfg = testConfig({ KAFKA_TOPIC_PREFIX: prefix });
  const groupId = randomName('sink');
  const kafka = testKafka(cfg.kafka.brokers);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const { store, sink } = await storeAndSink(cfg, log, groupId, options);
  await producer.connect();
  await admin.connect();
  return {
    cfg,
    store,
    sink,
    prefix,
    groupId,
    producer,
    admin,
    lag: () => totalLag(admin, groupId, prefix),
    async stop() {
      await producer.disconnect();
      await admin.disconnect();
      await sink.stop();
      await store.close();
    },
  };
}

export interface PrivateBrokerStack {
  cfg: Config;
  store: Store;
  sink: Sink;
  /** The topic prefix and sink group of this stack. */
  prefix: string;
  groupId: string;
  /** Waits (bounded) until the store holds `events` events and the group has nothing left to read. */
  drained(events: number, timeoutMs: number): Promise<void>;
  /** Stops the sink, closes the store, stops the broker and removes the data directory. */
  stop(): Promise<void>;
}

export async function startPrivateBrokerStack(label: string, log: Logger): Promise<PrivateBrokerStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `${label}-`));
  const prefix = `${randomName('p')}.`;
  const groupId = randomName('sink');
  const { KAFKA_BROKERS: _shared, ...stackEnv } = inject('stackEnv');
  const port = await freePortRun(2);
  const cfg = loadConfig({
    ...stackEnv,
    CHISO_DATA_DIR: dataDir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_TOPIC_PREFIX: prefix,
    CLICKHOUSE_DATABASE: randomName('t'),
    CHISO_LOG_LEVEL: 'error',
  });
  await startBroker(cfg, () => undefined);
  const { store, sink } = await storeAndSink(cfg, log, groupId);
  return {
    cfg,
    store,
    sink,
    prefix,
    groupId,
    async drained(events, timeoutMs) {
      const admin = testKafka(cfg.kafka.brokers).admin();
      await admin.connect();
      try {
        const lag = () => totalLag(admin, groupId, prefix);
        await waitUntil(async () => (await rawCounts(store)).count >= events && (await lag()) === 0, timeoutMs, async () => JSON.stringify(await rawCounts(store)));
      } finally {
        await admin.disconnect();
      }
    },
    async stop() {
      await sink.stop().catch(() => undefined);
      await store.close();
      await stopBroker(cfg);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
