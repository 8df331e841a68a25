// The whole pipeline for a test, on the shared stack: its own topics, sink group, Temporal task queue
// and ClickHouse database; the store migrated and given the test's units (whatever reference data the
// worker loads at start), the chiso worker (no schedule) and the sink running, a producer and a
// Temporal client connected. close() stops all of it and drops the database.
import { Client, Connection } from '@temporalio/client';
import type { Producer } from 'kafkajs';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
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
  /** Runs the nightly workflow for `today` and returns what it answers. */
  nightly: (today: string) => Promise<unknown>;
  /**
   * Compares every indicator value the workflows left for `days` (and their month, quarter and year)
   * with a computation from scratch: the values are emptied and the whole range computed again (the
   * scratch values then stand). Lists what differs; a value the workflows never wrote is 0 / 0.
   */
  againstScratch: (days: readonly string[]) => Promise<{ differences: string[]; compared: number; nonEmpty: number }>;
  close: () => Promise<void>;
}

/** Every value over the days of `days` and the month, quarter and year of March 2025: key -> numerator|denominator|value. */
async function marchValues(store: Store, days: readonly string[]): Promise<Map<string, string>> {
  const rows = await select<{ k: string; num: number | null; den: number | null; value: number | null }>(
    store,
    `SELECT concat(indicator, ' ', unit_code, ' ', period, ' ', toString(period_start)) AS k, numerator AS num, denominator AS den, value
     FROM ${store.db}.v_indicator_values
     WHERE (period = 'day' AND period_start BETWEEN {first:Date} AND {last:Date}) OR (period = 'month' AND period_start = '2025-03-01')
        OR (period IN ('quarter', 'year') AND period_start = '2025-01-01')`,
    { first: days[0], last: days.at(-1) },
  );
  const show = (n: number | null) => (n === null ? 'null' : String(Math.round(n * 1e6) / 1e6));
  return new Map(rows.map((r) => [r.k, `${show(r.num ?? 0)}|${show(r.den ?? 0)}|${show(r.value)}`]));
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
    nightly: (today) => client.workflow.execute('nightly', { taskQueue: cfg.temporal.taskQueue, workflowId: randomName('nightly'), args: [{ today }] }),
    againstScratch: async (days) => {
      const incremental = await marchValues(store, days);
      await store.client.command({ query: `TRUNCATE TABLE ${store.db}.indicator_values` });
      await client.workflow.execute('computeIndicators', { taskQueue: cfg.temporal.taskQueue, workflowId: randomName('scratch'), args: [{ days: [...days] }] });
      const scratch = await marchValues(store, days);
      const differences: string[] = [];
      for (const [k, v] of scratch) if ((incremental.get(k) ?? '0|0|null') !== v) differences.push(`${k}: incremental ${incremental.get(k) ?? 'absent'}, from scratch ${v}`);
      for (const k of incremental.keys()) if (!scratch.has(k)) differences.push(`${k}: only incremental`);
      return { differences, compared: scratch.size, nonEmpty: [...scratch.values()].filter((v) => !v.startsWith('0|0|')).length };
    },
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
