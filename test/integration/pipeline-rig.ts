// The whole pipeline for a test, on the shared stack: its own topics, sink group, Temporal task queue
// and ClickHouse database; the store migrated and given the test's units (whatever reference data the
// worker loads at start), the chiso worker (no schedule) and the sink running, a producer and a
// Temporal client connected. close() stops all of it and drops the database.
import { Client, Connection } from '@temporalio/client';
import type { Producer } from 'kafkajs';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import type { UnitRow } from '../../indicators/import.ts';
import { writeUnits } from '../../indicators/load.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Service } from '../../lib/service.ts';
import type { Config } from '../../schemas/config.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { createWorker } from '../../services/worker/index.ts';
import { randomName, testConfig } from '../support/env.ts';
import { testKafka } from './sink-fixtures.ts';

export interface PipelineRig {
  /** The topic prefix, ending with a dot. */
  prefix: string;
  cfg: Config;
  store: Store;
  sink: Sink;
  worker: Service;
  producer: Producer;
  client: Client;
  close: () => Promise<void>;
}

export async function openPipeline(opts: { name: string; units: UnitRow[]; lingerMs: number; log: Logger }): Promise<PipelineRig> {
  const prefix = `${randomName(opts.name)}.`;
  const cfg = testConfig({ KAFKA_TOPIC_PREFIX: prefix, CHISO_SINK_GROUP: randomName('sink'), TEMPORAL_TASK_QUEUE: randomName('tq') });
  const log = opts.log;
  const store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  const worker = createWorker({ cfg, store, log }, { schedule: false });
  await worker.start();
  await store.client.command({ query: `TRUNCATE TABLE ${store.db}.units` });
  await writeUnits(store, opts.units);
  const sink = createSink({ cfg, store, log, options: { lingerMs: opts.lingerMs } });
  await sink.start();
  const producer = testKafka(cfg.kafka.brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const connection = await Connection.connect({ address: cfg.temporal.address });
  const client = new Client({ connection, namespace: cfg.temporal.namespace });
  return {
    prefix,
    cfg,
    store,
    sink,
    worker,
    producer,
    client,
    close: async () => {
      await producer.disconnect();
      await sink.stop();
      await worker.stop();
      await connection.close();
      await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
      await store.close();
    },
  };
}
