// One bad record never blocks a partition (issue #17): poison events put straight onto Kafka,
// bypassing the connectors, among good ones. Events the schemas refuse (a NUL byte, a control
// character, U+FFFD or 300 characters in a code) and an event ClickHouse itself refuses (a
// constraint it breaks: the flush is split until the record is found) each end in the rejects with
// their topic, partition and offset; every good event lands, the partition's offset is committed
// past them all, and the sink stays healthy. A poison message carrying personal data (an id, a phone,
// an e-mail address) is kept redacted, as a connector's reject would be, or withheld with its HMAC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPiiSecret, pseudonymiser } from '../../connectors/pii.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { topics } from '../../schemas/topics.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { measureLag } from '../../services/sink/health.ts';
import { randomName, testConfig } from '../support/env.ts';
import { dossier, testKafka, waitUntil } from './sink-fixtures.ts';

const prefix = `${randomName('p')}.`;
const cfg = testConfig({ KAFKA_TOPIC_PREFIX: prefix });
const t = topics(prefix);
const topic = t.source('one-stop-shop');
const log = createLogger('warn');
const kafka = testKafka(cfg.kafka.brokers);
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
const admin = kafka.admin();
const groupId = randomName('sink');
let store: Store;
let sink: Sink;

beforeAll(async () => {
  store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  sink = createSink({ cfg, store, log, groupId, options: { lingerMs: 200 } });
  await sink.start();
  await producer.connect();
  await admin.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
  await sink.stop();
  await store.close();
});

interface RejectRow {
  partition: number;
  offset: string;
  reason: string;
  location: string;
}

async function rejectsAt(offsets: number[]): Promise<RejectRow[]> {
  return select<RejectRow>(
    store,
    `SELECT partition, toString(offset) AS offset, reason, location FROM ${store.db}.rejects FINAL
      WHERE topic = {topic:String} AND offset IN {offsets:Array(Int64)} ORDER BY offset`,
    { topic, offsets },
  );
}

async function dossierIds(): Promise<string[]> {
  return (await select<{ record_id: string }>(store, `SELECT record_id FROM ${store.db}.dossiers FINAL ORDER BY record_id`)).map((r) => r.record_id);
}

/** The committed offset of the sink's group on the topic's partition 0. */
async function committed(): Promise<number> {
  const [o] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Number(o?.partitions.find((p) => p.partition === 0)?.offset ?? -1);
}

describe('sink: poison records', () => {
  it('rejects events whose codes break the identifier rule, with their location, and goes on', async () => {
    const at = '2025-03-05T09:00:00+07:00';
    const good = (id: string) => JSON.stringify(dossier(id, 4, at));
    // Built by hand (the fixtures validate): what another producer could put on the topic.
    const bad = (id: string, unit: string) => JSON.stringify({ ...dossier(id, 4, at), unit_code: unit });
    const messages = [good('G-1'), bad('P-NUL', 'U\u000001'), good('G-2'), bad('P-CTRL', 'U\u0007'), bad('P-FFFD', 'U\uFFFD'), bad('P-LONG', 'U'.repeat(300)), good('G-3')];
    const [sent] = await producer.send({ topic, acks: -1, messages: messages.map((value) => ({ key: 'k', value, partition: 0 })) });
    const base = Number(sent?.baseOffset);

    await waitUntil(async () => (await committed()) >= base + messages.length, 60_000, async () => `committed ${await committed()}, want ${base + messages.length}`);
    expect(await dossierIds()).toEqual(['G-1', 'G-2', 'G-3']);
    const poison = [1, 3, 4, 5].map((i) => base + i);
    const rejects = await rejectsAt(poison);
    expect(rejects.map((r) => [r.partition, Number(r.offset), r.location])).toEqual(poison.map((o) => [0, o, `kafka://${topic}/0/${o}`]));
    for (const r of rejects) expect(r.reason).toMatch(/unit_code/);
    expect(rejects.at(-1)?.reason).toMatch(/at most 100 characters/);
    expect((await sink.health()).ok).toBe(true);
  });

  it('isolates a record ClickHouse refuses, writes it as a reject with its location, and writes the rest', async () => {
    // A rule of the store the schemas know nothing about: ClickHouse refuses the row (VIOLATED_CONSTRAINT).
    await store.client.command({ query: `ALTER TABLE ${store.db}.dossiers ADD CONSTRAINT no_refused CHECK procedure_code != 'REFUSED'` });
    const at = '2025-03-06T09:00:00+07:00';
    const events = Array.from({ length: 21 }, (_, i) => dossier(`B-${String(i).padStart(2, '0')}`, 4, at, 'U01', i === 13 ? { procedure_code: 'REFUSED' } : {}));
    const before = sink.metrics().sink_refused_records_total ?? 0;
    const [sent] = await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.record_id, value: JSON.stringify(e), partition: 0 })) });
    const base = Number(sent?.baseOffset);

    await waitUntil(async () => (await committed()) >= base + events.length, 60_000, async () => `committed ${await committed()}, want ${base + events.length}`);
    const ids = (await dossierIds()).filter((id) => id.startsWith('B-'));
    expect(ids).toEqual(events.map((e) => e.record_id).filter((id) => id !== 'B-13'));
    const raw = await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.raw_events WHERE startsWith(record_id, 'B-')`);
    expect(Number(raw[0]?.c)).toBe(20);
    const [reject] = await rejectsAt([base + 13]);
    expect(reject).toMatchObject({ partition: 0, offset: String(base + 13), location: `kafka://${topic}/0/${base + 13}` });
    expect(reject?.reason).toMatch(/^ClickHouse refused the record \(dossiers\): .*Code: 469/);
    expect((sink.metrics().sink_refused_records_total ?? 0) - before).toBe(1);

    // The partition went on: nothing behind, and the sink is ready.
    const lag = await measureLag(admin, groupId, [topic], 5000);
    expect(Object.values(lag).reduce((a, b) => a + b, 0)).toBe(0);
    const h = await sink.health();
    expect(h.ok).toBe(true);
    expect(h.refused).toBe(1);
  });

  it('keeps the personal values of an undecodable message out of the rejects, with its topic, partition and offset', async () => {
    const cccd = '001085012345';
    const phone = '0912 345 678';
    const email = 'nguyen.van.a@example.vn';
    const utf16 = Buffer.from(`{"note":"${cccd}"}`, 'utf16le');
    const messages: Buffer[] = [
      // Not JSON (a cut-off line), the values in free text: a personal field (a comment) and a plain one.
      Buffer.from(`{"record_id":"P-TEXT","ghi_chu":"CCCD ${cccd}","ma_ho_so":"ĐT ${phone}, ${email}"`),
      // JSON, but no canonical event: a personal field, and the values under an innocent key, escaped.
      Buffer.from(JSON.stringify({ record_id: 'P-JSON', SoGiayToChuHoSo: cccd, note: `gọi ${phone} hoặc ${email}` }).replace('0912', '\\u0030912')),
      // UTF-16: digits hide between NUL bytes; withheld, an HMAC of the bytes kept.
      utf16,
    ];
    const [sent] = await producer.send({ topic, acks: -1, messages: messages.map((value) => ({ key: 'k', value, partition: 0 })) });
    const base = Number(sent?.baseOffset);
    const offsets = messages.map((_, i) => base + i);

    await waitUntil(async () => (await committed()) >= base + messages.length, 60_000, async () => `committed ${await committed()}, want ${base + messages.length}`);
    const rows = await select<{ topic: string; partition: number; offset: string; location: string; reason: string; original: string }>(
      store,
      `SELECT topic, partition, toString(offset) AS offset, location, reason, original FROM ${store.db}.rejects FINAL
        WHERE topic = {topic:String} AND offset IN {offsets:Array(Int64)} ORDER BY offset`,
      { topic, offsets },
    );
    expect(rows.map((r) => [r.topic, r.partition, Number(r.offset), r.location])).toEqual(offsets.map((o) => [topic, 0, o, `kafka://${topic}/0/${o}`]));
    const leaks = /001085012345|0912|345 678|nguyen\.van\.a|example\.vn/;
    for (const r of rows) {
      expect(r.original).not.toMatch(leaks);
      expect(r.reason).not.toMatch(leaks);
    }
    const [text, json, withheld] = rows;
    expect(text?.reason).toMatch(/^not JSON/);
    expect(text?.original).toBe('{"record_id":"P-TEXT","ghi_chu":"[redacted]","ma_ho_so":"ĐT [redacted], [redacted]"');
    expect(json?.reason).toMatch(/^not a canonical event/);
    expect(JSON.parse(json?.original ?? '')).toEqual({ record_id: 'P-JSON', SoGiayToChuHoSo: '[redacted]', note: 'gọi [redacted] hoặc [redacted]' });
    // The HMAC under the sink's own PII key: whoever holds the message can find it; nobody else learns anything.
    const hmac = pseudonymiser(loadPiiSecret(cfg)).bytes(utf16);
    expect(withheld?.original).toBe(`[withheld: bytes that are not text (NUL: UTF-16 or binary?); see origin; ${utf16.length} bytes; hmac-sha256 ${hmac}]`);
    expect((await sink.health()).ok).toBe(true);
  });
});
