// The sink on the real broker and chDB: updates leave one latest row per record with the newest
// values, a replayed event is not doubled, poison messages become rejects that name their topic,
// partition and offset while the partition goes on, and reject / run messages reach their tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import type { RejectMessage } from '../../schemas/events.ts';
import { topics } from '../../schemas/topics.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { randomName, testConfig } from '../support/env.ts';
import { document, dossier, payment, produceEvents, rawCounts, runLedger, testKafka, waitUntil } from './sink-fixtures.ts';

const prefix = `${randomName('p')}.`;
const cfg = testConfig({ KAFKA_TOPIC_PREFIX: prefix });
const t = topics(prefix);
const log = createLogger('warn');
const kafka = testKafka(cfg.kafka.brokers);
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
let store: Store;
let sink: Sink;

beforeAll(async () => {
  store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  sink = createSink({ cfg, store, log, groupId: randomName('sink'), options: { lingerMs: 200 } });
  await sink.start();
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await sink.stop();
  await store.close();
});

describe('sink: updates, replays, poison messages', () => {
  it('keeps one latest row per record with the newest values and writes each event once', async () => {
    const hs1a = dossier('HS-1', 4, '2025-03-01T10:00:00+07:00');
    const hs1b = dossier('HS-1', 10, '2025-03-03T15:30:00+07:00');
    const hs2 = dossier('HS-2', 2, '2025-03-01T11:00:00+07:00', 'U02');
    const vb1a = document('VB-1', 'none', '2025-03-02T08:00:00+07:00');
    const vb1b = document('VB-1', 'public', '2025-03-02T16:00:00+07:00');
    const tt1 = payment('TT-1', '2025-03-04T23:30:00+07:00');
    await produceEvents(producer, prefix, [hs1a, hs2, vb1a, tt1]);
    await produceEvents(producer, prefix, [hs1b, vb1b]);
    // A replay of the first export: the same event ids at new offsets.
    await produceEvents(producer, prefix, [hs1a, vb1a]);
    const accepted = 6;

    await waitUntil(async () => (await rawCounts(store)).count >= accepted && (sink.metrics().sink_duplicates_dropped_total ?? 0) >= 2, 60_000, async () => JSON.stringify(await rawCounts(store)));
    expect(await rawCounts(store)).toEqual({ count: accepted, unique: accepted });

    const dossiers = await select<Record<string, unknown>>(store, `SELECT record_id, status, unit_code, toString(finished_at) AS finished_at, has_electronic_result, applicant_type, returned_at FROM ${store.db}.dossiers FINAL ORDER BY record_id`);
    expect(dossiers).toEqual([
      { record_id: 'HS-1', status: 10, unit_code: 'U01', finished_at: '2025-03-03 15:30:00.000', has_electronic_result: true, applicant_type: 'citizen', returned_at: null },
      { record_id: 'HS-2', status: 2, unit_code: 'U02', finished_at: null, has_electronic_result: false, applicant_type: 'citizen', returned_at: null },
    ]);
    const documents = await select<Record<string, unknown>>(store, `SELECT record_id, signature, via_national_axis, toString(updated_at) AS updated_at FROM ${store.db}.documents FINAL`);
    expect(documents).toEqual([{ record_id: 'VB-1', signature: 'public', via_national_axis: true, updated_at: '2025-03-02 16:00:00.000' }]);
    // raw_events keeps each event whole: its envelope and its data as JSON text, exactly as validated.
    const raw = await select<Record<string, unknown>>(store, `SELECT record_id, toString(updated_at) AS updated_at, origin, payload FROM ${store.db}.raw_events WHERE event_id = {id:String}`, { id: hs1b.event_id });
    expect(raw).toEqual([{ record_id: 'HS-1', updated_at: '2025-03-03 15:30:00.000', origin: '/exports/dossiers.ndjson, line 1', payload: JSON.stringify(hs1b.data) }]);
    const payments = await select<Record<string, unknown>>(store, `SELECT record_id, amount, toString(paid_at) AS paid_at FROM ${store.db}.payments FINAL`);
    expect(payments).toEqual([{ record_id: 'TT-1', amount: 50000, paid_at: '2025-03-04 23:30:00.000' }]);

    // The days each record counts on, in Asia/Ho_Chi_Minh (a payment at 23:30 +07:00 stays on the 4th).
    const days = await select<{ entity: string; unit_code: string; day: string }>(
      store,
      `SELECT DISTINCT entity, unit_code, toString(day) AS day FROM ${store.db}.touched_days ORDER BY entity, unit_code, day`,
    );
    expect(days).toEqual([
      { entity: 'documents', unit_code: 'U01', day: '2025-03-02' },
      { entity: 'dossiers', unit_code: 'U01', day: '2025-03-01' },
      { entity: 'dossiers', unit_code: 'U01', day: '2025-03-03' },
      { entity: 'dossiers', unit_code: 'U02', day: '2025-03-01' },
      { entity: 'payments', unit_code: 'U02', day: '2025-03-04' },
    ]);
  });

  it('turns poison messages into rejects with topic, partition and offset, and the partition goes on', async () => {
    const topic = t.source('one-stop-shop');
    const [sent] = await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'HS-P', value: '{not json', partition: 0 },
        { key: 'HS-P', value: JSON.stringify({ record_id: 'HS-P', entity: 'dossiers' }), partition: 0 },
        { key: 'HS-after', value: JSON.stringify(dossier('HS-after', 5, '2025-03-05T09:00:00+07:00')), partition: 0 },
      ],
    });
    const base = Number(sent?.baseOffset);
    await waitUntil(
      async () => (await select(store, `SELECT 1 FROM ${store.db}.dossiers WHERE record_id = 'HS-after'`)).length === 1,
      60_000,
      'HS-after was not written',
    );
    const rejects = await select<{ topic: string; partition: number; offset: string; reason: string; original: string; location: string }>(
      store,
      `SELECT topic, partition, toString(offset) AS offset, reason, original, location FROM ${store.db}.rejects FINAL WHERE topic = {topic:String} ORDER BY offset`,
      { topic },
    );
    expect(rejects.map((r) => [r.topic, r.partition, r.offset])).toEqual([
      [topic, 0, String(base)],
      [topic, 0, String(base + 1)],
    ]);
    expect(rejects[0]?.reason).toMatch(/^not JSON/);
    expect(rejects[0]?.original).toBe('{not json');
    expect(rejects[1]?.reason).toMatch(/^not a canonical event/);
    expect(rejects[0]?.location).toBe(`kafka://${topic}/0/${base}`);
    expect(await rawCounts(store)).toEqual({ count: 7, unique: 7 });
  });

  it('writes connector rejects and the run ledger', async () => {
    const reject: RejectMessage = {
      run_id: 'run-r1',
      source: 'one-stop-shop',
      entity: 'dossiers',
      origin: { uri: '/exports/dossiers.ndjson', line: 17 },
      field: 'NgayTiepNhan',
      reason: 'Ngày tiếp nhận không hợp lệ: 31/02/2025',
      original: '{"MaHoSo":"HS-X"}',
      original_encoding: 'utf8',
      rejected_at: '2025-03-10T08:00:05+07:00',
    };
    await producer.send({ topic: t.rejects, acks: -1, messages: [{ key: 'run-r1', value: JSON.stringify(reject) }] });
    await producer.send({ topic: t.runs, acks: -1, messages: [{ key: 'run-r1', value: JSON.stringify(runLedger('run-r1', 7)) }] });
    await waitUntil(async () => (await select(store, `SELECT 1 FROM ${store.db}.ingest_runs WHERE run_id = 'run-r1'`)).length === 1, 60_000, 'run not written');
    await waitUntil(async () => (await select(store, `SELECT 1 FROM ${store.db}.rejects WHERE run_id = 'run-r1'`)).length === 1, 60_000, 'reject not written');
    const [r] = await select<Record<string, unknown>>(store, `SELECT location, field, reason, topic, partition FROM ${store.db}.rejects FINAL WHERE run_id = 'run-r1'`);
    expect(r).toMatchObject({ location: '/exports/dossiers.ndjson, line 17', field: 'NgayTiepNhan', reason: reject.reason, topic: t.rejects });
    const [run] = await select<Record<string, unknown>>(store, `SELECT status, accepted, toString(finished_at) AS finished_at FROM ${store.db}.ingest_runs FINAL WHERE run_id = 'run-r1'`);
    expect(run).toEqual({ status: 'succeeded', accepted: 7, finished_at: '2025-03-10 08:01:00.000' });

    const m = sink.metrics();
    expect(m.sink_events_written_total).toBe(7);
    expect(m.sink_poison_messages_total).toBe(2);
    expect(m.sink_rejects_total).toBe(3);
    const h = await sink.health();
    expect(h.ok).toBe(true);
    await waitUntil(async () => (await sink.health()).totalLag === 0, 30_000, async () => JSON.stringify(await sink.health()));
  });

  it('a corrected record touches the days and unit its previous version counted on as well as its own', async () => {
    const v1 = dossier('HS-M', 4, '2025-03-06T10:00:00+07:00', 'U01', { received_at: '2025-03-06T09:00:00+07:00' });
    await produceEvents(producer, prefix, [v1]);
    await waitUntil(async () => (await select(store, `SELECT 1 FROM ${store.db}.raw_events WHERE event_id = {id:String}`, { id: v1.event_id })).length === 1, 60_000, 'v1 not written');
    // The correction: received two days later, by another unit, and finished.
    const v2 = dossier('HS-M', 10, '2025-03-09T15:00:00+07:00', 'U02', { received_at: '2025-03-08T09:00:00+07:00' });
    await produceEvents(producer, prefix, [v2]);
    await waitUntil(async () => (await select(store, `SELECT 1 FROM ${store.db}.raw_events WHERE event_id = {id:String}`, { id: v2.event_id })).length === 1, 60_000, 'v2 not written');
    const [{ batch } = { batch: '' }] = await select<{ batch: string }>(
      store,
      `SELECT batch FROM ${store.db}.touched_days WHERE unit_code = 'U02' AND day = '2025-03-09' ORDER BY touched_at DESC LIMIT 1`,
    );
    const days = await select<{ unit_code: string; day: string }>(
      store,
      `SELECT unit_code, toString(day) AS day FROM ${store.db}.touched_days WHERE batch = {batch:String} AND entity = 'dossiers' ORDER BY unit_code, day`,
      { batch },
    );
    expect(days).toEqual([
      { unit_code: 'U01', day: '2025-03-06' },
      { unit_code: 'U02', day: '2025-03-08' },
      { unit_code: 'U02', day: '2025-03-09' },
    ]);
  });
});
