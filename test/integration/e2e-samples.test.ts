// End to end on the real stack: the bundled sample exports go through the connectors into the real
// Kafka broker, the sink writes them to ClickHouse (chDB), the compute workflow runs on the real
// Temporal server, and the values in v_indicator_values equal the same indicators computed here,
// independently, from raw_events (the latest version of each record, straight from the payloads).
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { ingestPath } from '../../connectors/files.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import { createChisoProducer } from '../../connectors/producer.ts';
import type { RunSummary } from '../../connectors/run.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import type { Config } from '../../schemas/config.ts';
import { SOURCES } from '../../schemas/events.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { loadReferenceData } from '../../indicators/load.ts';
import { createWorker } from '../../services/worker/index.ts';
import type { Service } from '../../lib/service.ts';
import { randomName, testConfig } from '../support/env.ts';

const SAMPLES = fileURLToPath(new URL('../../infra/samples/data/', import.meta.url));
const ALL = ['T01', 'H01', 'H02', 'X0101', 'X0102', 'X0103', 'X0104', 'X0201', 'X0202', 'X0203'];
const CITY = ['H01', 'X0101', 'X0102', 'X0103', 'X0104'];

interface Fraction {
  num: number;
  den: number;
}

describe('the samples, end to end through Kafka, the sink and Temporal', () => {
  const log = createLogger('warn');
  let cfg: Config;
  let store: Store;
  let sink: Sink;
  let worker: Service;
  const summaries: RunSummary[] = [];

  beforeAll(async () => {
    cfg = testConfig({ KAFKA_TOPIC_PREFIX: `${randomName('e2e')}.`, TEMPORAL_TASK_QUEUE: randomName('tq'), CHISO_SINK_GROUP: randomName('sink') });
    store = await openStore(cfg.clickhouse);
    await migrate(store, log);
    // The demo units and targets go with the samples (`chiso start` loads them); a worker loads none.
    await loadReferenceData(store, log);
    sink = createSink({ cfg, store, log });
    worker = createWorker({ cfg, store, log }, { schedule: false });
    await sink.start();
    await worker.start();

    const kafka = createKafka(cfg, log, 'e2e');
    await ensureTopics(kafka, cfg.kafka.topicPrefix);
    const producer = await createChisoProducer(kafka, log);
    try {
      const deps = { producer, log, pseudonymise: pseudonymiser('e2e-secret-0123456789'), topicPrefix: cfg.kafka.topicPrefix };
      const checkpoints = new FileCheckpoints(`${cfg.dataDir}/checkpoints`);
      for (const source of SOURCES) summaries.push(...(await ingestPath(deps, { source, path: `${SAMPLES}${source}`, checkpoints })));
    } finally {
      await producer.disconnect();
    }
    const produced = Object.assign({}, ...summaries.map((s) => s.producedOffsets)) as Record<string, string>;
    await waitForSink({ kafka, groupId: cfg.sinkGroup ?? '', produced, timeoutMs: 180_000 });

    const connection = await Connection.connect({ address: cfg.temporal.address });
    try {
      const client = new Client({ connection, namespace: cfg.temporal.namespace });
      await client.workflow.execute('backfill', { taskQueue: cfg.temporal.taskQueue, workflowId: randomName('backfill'), args: [{ from: '2025-01-01', to: '2025-03-31' }] });
    } finally {
      await connection.close();
    }
  });

  afterAll(async () => {
    await worker?.stop();
    await sink?.stop();
    await store?.close();
  });

  async function computed(indicator: string, unit: string, period: string, start: string): Promise<{ numerator: number; denominator: number; value: number | null }> {
    const rows = await select<{ numerator: number; denominator: number; value: number | null }>(
      store,
      `SELECT numerator, denominator, value FROM ${store.db}.v_indicator_values WHERE indicator = {i:String} AND unit_code = {u:String} AND period = {p:String} AND period_start = {s:Date}`,
      { i: indicator, u: unit, p: period, s: start },
    );
    expect(rows, `${indicator} ${unit} ${period} ${start}`).toHaveLength(1);
    return rows[0] as { numerator: number; denominator: number; value: number | null };
  }

  /** The latest payload of each record of an entity, from raw_events (not the latest-state tables). */
  function latest(entity: string): string {
    return `(SELECT record_id, argMax(unit_code, updated_at) AS unit_code, argMax(payload, updated_at) AS p FROM ${store.db}.raw_events WHERE entity = '${entity}' GROUP BY record_id)`;
  }

  async function independent(sql: string, params: Record<string, unknown>): Promise<Fraction> {
    const [row] = await select<{ num: string; den: string }>(store, sql, params);
    return { num: Number(row?.num), den: Number(row?.den) };
  }

  function expectSame(got: { numerator: number; denominator: number; value: number | null }, want: Fraction): void {
    expect(want.den).toBeGreaterThan(0);
    expect(Number(got.numerator)).toBe(want.num);
    expect(Number(got.denominator)).toBe(want.den);
    expect(Number(got.value)).toBeCloseTo((want.num / want.den) * 100, 2);
  }

  it('reconciles every run: read = accepted + rejected, and raw_events holds each accepted event once', async () => {
    expect(summaries.length).toBeGreaterThanOrEqual(12);
    for (const s of summaries) {
      expect(s.status, `${s.origin}: ${s.error}`).toBe('succeeded');
      expect(s.read).toBe(s.accepted + s.rejected);
    }
    const [raw] = await select<{ c: string; u: string }>(store, `SELECT count() AS c, uniqExact(event_id) AS u FROM ${store.db}.raw_events`);
    expect(Number(raw?.c)).toBe(Number(raw?.u));
    // The CSV/XLSX exports repeat records of the NDJSON ones: the same event ids, stored once.
    const accepted = summaries.reduce((n, s) => n + s.accepted, 0);
    expect(Number(raw?.c)).toBeLessThanOrEqual(accepted);
    const [rej] = await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.rejects FINAL`);
    expect(Number(rej?.c)).toBe(summaries.reduce((n, s) => n + s.rejected, 0));
  });

  it('dossier_online: the province in February and a ward in January', async () => {
    const sql = (units: string[]) => `
      SELECT countIf(JSONExtractString(p, 'channel') = 'online') AS num, count() AS den
      FROM ${latest('dossiers')}
      WHERE JSONExtractUInt(p, 'status') NOT IN (1, 3)
        AND JSONExtractString(p, 'received_at') != ''
        AND toStartOfMonth(toDate(parseDateTime64BestEffort(JSONExtractString(p, 'received_at'), 3), 'Asia/Ho_Chi_Minh')) = {m:Date}
        AND unit_code IN (${units.map((u) => `'${u}'`).join(',')})`;
    expectSame(await computed('dossier_online', 'T01', 'month', '2025-02-01'), await independent(sql(ALL), { m: '2025-02-01' }));
    expectSame(await computed('dossier_online', 'X0101', 'month', '2025-01-01'), await independent(sql(['X0101']), { m: '2025-01-01' }));
  });

  it('outgoing_signed for the province over the first quarter, secret documents excluded', async () => {
    const want = await independent(
      `SELECT countIf(JSONExtractString(p, 'form') = 'electronic' AND JSONExtractString(p, 'signature') = 'specialised') AS num, count() AS den
       FROM ${latest('documents')}
       WHERE JSONExtractString(p, 'register') = 'outgoing' AND JSONExtractString(p, 'secrecy') = 'normal'
         AND toDate(JSONExtractString(p, 'issued_at')) BETWEEN '2025-01-01' AND '2025-03-31'`,
      {},
    );
    expectSame(await computed('outgoing_signed', 'T01', 'quarter', '2025-01-01'), want);
  });

  it('work_records_online for the city and its wards, year to date', async () => {
    const want = await independent(
      `SELECT countIf(JSONExtractBool(p, 'processed_online')) AS num, count() AS den
       FROM ${latest('work-records')}
       WHERE JSONExtractString(p, 'secrecy') = 'normal' AND toYear(toDate(JSONExtractString(p, 'opened_at'))) = 2025
         AND unit_code IN (${CITY.map((u) => `'${u}'`).join(',')})`,
      {},
    );
    expectSame(await computed('work_records_online', 'H01', 'year', '2025-01-01'), want);
  });

  it('satisfaction and payment_online for the province in March', async () => {
    const inMarch = (field: string) =>
      `toStartOfMonth(toDate(parseDateTime64BestEffort(JSONExtractString(p, '${field}'), 3), 'Asia/Ho_Chi_Minh')) = '2025-03-01'`;
    const satisfaction = await independent(
      `SELECT countIf(JSONExtractString(p, 'level') IN ('very_satisfied', 'satisfied')) AS num, count() AS den FROM ${latest('ratings')} WHERE ${inMarch('rated_at')}`,
      {},
    );
    expectSame(await computed('satisfaction', 'T01', 'month', '2025-03-01'), satisfaction);
    const payments = await independent(
      `SELECT countIf(JSONExtractString(p, 'method') = 'online') AS num, count() AS den FROM ${latest('payments')}
       WHERE JSONExtractString(p, 'status') = 'success' AND ${inMarch('paid_at')}`,
      {},
    );
    expectSame(await computed('payment_online', 'T01', 'month', '2025-03-01'), payments);
  });
});
