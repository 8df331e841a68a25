// A sink on the shared test broker with its own topics (random prefix), group and chDB database,
// plus the producer and admin a test drives it with: the set-up the sink fault tests share.
import type { Admin, Producer } from 'kafkajs';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { topics } from '../../schemas/topics.ts';
import type { Logger } from '../../lib/logger.ts';
import { measureLag } from '../../services/sink/health.ts';
import { createSink, type Sink, type SinkOptions } from '../../services/sink/index.ts';
import { randomName, testConfig } from '../support/env.ts';
import { testKafka } from '../integration/sink-fixtures.ts';

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
  const store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  const sink = createSink({ cfg, store, log, groupId, options });
  await sink.start();
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
    lag: async () => Object.values(await measureLag(admin, groupId, topics(prefix).all, 5000)).reduce((a, b) => a + b, 0),
    async stop() {
      await producer.disconnect();
      await admin.disconnect();
      await sink.stop();
      await store.close();
    },
  };
}
