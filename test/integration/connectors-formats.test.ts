// Every entity of every source, in every export format (NDJSON, JSON array, JSON { data }, CSV with
// "," and ";", XLSX), ingested through the real broker: the events read back from Kafka have the
// expected count and content, the run ledger reconciles, a second ingestion of the same exports
// gives the same event ids, and no personal data of the fixtures appears in any message.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { formatTime } from '../../connectors/common/dates.ts';
import { ingestPath } from '../../connectors/files.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import type { RunSummary } from '../../connectors/run.ts';
import { canonicalEvent, type CanonicalEvent, type EntityName, runMessage, type SourceId } from '../../schemas/events.ts';
import { type ConnectorEnv, connectorEnv, PII_SECRET, personalDataIn, type Read, readTopic, xlsxFromCsv } from './connectors-helpers.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'exports');
const hash = pseudonymiser(PII_SECRET);

/** What every form of an export says about each record. */
const EXPECTED: Record<EntityName, Record<string, { unit: string; data: Record<string, unknown> }>> = {
  dossiers: {
    'HS-001': {
      unit: 'X01',
      data: {
        procedure_code: '1.001234', procedure_name: 'Đăng ký khai sinh', field_code: 'HT', channel: 'online', status: 10,
        submitted_at: '2025-01-15T08:30:00+07:00', received_at: '2025-01-15T09:00:00+07:00', due_at: '2025-01-17T17:00:00+07:00',
        finished_at: '2025-01-16T10:00:00+07:00', returned_at: '2025-01-16T15:30:00+07:00', refused_at: null,
        has_digitized_components: true, vneid_authenticated: true, paid_online: true, has_electronic_result: true, applicant_hash: hash('001085012345'),
      },
    },
    'HS-002': {
      unit: 'H01',
      data: {
        channel: 'in_person', status: 4, received_at: '2025-02-03T08:20:00+07:00', due_at: '2025-02-20T17:00:00+07:00', finished_at: null,
        has_digitized_components: false, vneid_authenticated: false, paid_online: false, has_electronic_result: false, applicant_hash: hash('036190007777'),
      },
    },
    'HS-003': {
      unit: 'H02',
      data: { channel: 'postal', status: 1, received_at: null, submitted_at: '2025-03-10T14:00:00+07:00', has_digitized_components: true, applicant_hash: hash('0101234567') },
    },
  },
  documents: {
    'VB-001': { unit: 'X01', data: { number: '12/UBND-VP', register: 'outgoing', kind: 'Công văn', issued_at: '2025-02-05', received_at: null, form: 'electronic', signature: 'specialised', secrecy: 'normal', to_state_agencies: true, via_national_axis: true } },
    'VB-002': { unit: 'H01', data: { register: 'incoming', kind: 'Quyết định', issued_at: '2025-02-06', received_at: '2025-02-07', form: 'paper', signature: 'none', secrecy: 'normal', to_state_agencies: false, via_national_axis: false } },
    'VB-003': { unit: 'T01', data: { register: 'outgoing', issued_at: '2025-03-10', form: 'electronic', signature: 'public', secrecy: 'secret', to_state_agencies: true, via_national_axis: false } },
  },
  'work-records': {
    'HSCV-001': { unit: 'X01', data: { level: 'XA', opened_at: '2025-03-01', closed_at: '2025-03-20', processed_online: true, secrecy: 'normal' } },
    'HSCV-002': { unit: 'H01', data: { level: 'HUYEN', opened_at: '2025-02-10', closed_at: null, processed_online: false, secrecy: 'normal' } },
    'HSCV-003': { unit: 'T01', data: { level: 'TINH', opened_at: '2025-01-15', closed_at: null, processed_online: true, secrecy: 'secret' } },
  },
  services: {
    'X01/1.001234/2025-01-01': { unit: 'X01', data: { procedure_code: '1.001234', level: 'XA', online_level: 'full', has_fee: false, redesigned: true, valid_from: '2025-01-01', valid_to: null } },
    'H01/2.000123/2024-07-01': { unit: 'H01', data: { level: 'HUYEN', online_level: 'partial', has_fee: true, redesigned: false, valid_from: '2024-07-01', valid_to: '2025-06-30' } },
    'X02/1.004567/2025-01-01': { unit: 'X02', data: { online_level: 'none', has_fee: true, redesigned: false, valid_to: null } },
  },
  payments: {
    'GD-001': { unit: 'X01', data: { dossier_code: 'HS-001', procedure_code: '1.001234', amount: 1_250_000, method: 'online', status: 'success', paid_at: '2025-01-15T09:05:00+07:00' } },
    'GD-002': { unit: 'H01', data: { dossier_code: 'HS-002', amount: 30_000, method: 'in_person', status: 'failed', paid_at: '2025-02-03T08:30:00+07:00' } },
    'GD-003': { unit: 'X02', data: { dossier_code: null, amount: 15_000, method: 'online', status: 'pending', paid_at: '2025-03-10T14:00:00+07:00' } },
  },
  ratings: {
    'DG-001': { unit: 'X01', data: { dossier_code: 'HS-001', rated_at: '2025-01-16T16:00:00+07:00', level: 'very_satisfied' } },
    'DG-002': { unit: 'H01', data: { dossier_code: 'HS-002', rated_at: '2025-02-04T10:00:00+07:00', level: 'satisfied' } },
    'DG-003': { unit: 'H02', data: { dossier_code: 'HS-003', rated_at: '2025-03-11T10:00:00+07:00', level: 'unsatisfied' } },
  },
};

/** Only the JSON forms carry the submitted components and the applicant type. */
const JSON_ONLY: Record<string, Record<string, unknown>> = {
  'HS-001': { components_count: 2, has_reused_component: true, applicant_type: 'citizen' },
  'HS-003': { components_count: 0, applicant_type: 'organisation' },
};

/** The xlsx exports, made from the "," CSV fixtures (dates as Excel date cells; work records as serial numbers). */
const XLSX_FROM: [SourceId, string, string, boolean][] = [
  ['one-stop-shop', 'danh-sach-ho-so.csv', 'danh-sach-ho-so.xlsx', false],
  ['document-management', 'van-ban.csv', 'van-ban.xlsx', false],
  ['document-management', 'ho-so-cong-viec.csv', 'ho-so-cong-viec.xlsx', true],
  ['public-service-portal', 'dich-vu.csv', 'dich-vu.xlsx', false],
  ['public-service-portal', 'thanh-toan.csv', 'thanh-toan.xlsx', true],
  ['public-service-portal', 'danh-gia.csv', 'danh-gia.xlsx', false],
];

describe('connectors: every entity in every format', () => {
  let env: ConnectorEnv;
  const runs: RunSummary[] = [];
  let events: (Read & { event: CanonicalEvent })[] = [];
  let all: Read[] = [];

  beforeAll(async () => {
    env = await connectorEnv();
    const checkpoints = new FileCheckpoints(join(env.cfg.dataDir, 'checkpoints'));
    for (const source of ['one-stop-shop', 'document-management', 'public-service-portal'] as const) {
      runs.push(...(await ingestPath(env.deps, { source, path: join(FIXTURES, source), checkpoints })));
    }
    for (const [source, csv, name, serial] of XLSX_FROM) {
      const path = await xlsxFromCsv(join(FIXTURES, source, csv), name, { serial });
      runs.push(...(await ingestPath(env.deps, { source, path, checkpoints })));
    }
    const reads = await Promise.all(env.topics.all.map((t) => readTopic(env.kafka, t)));
    all = reads.flat();
    const sourceTopics = new Set(['one-stop-shop', 'document-management', 'public-service-portal'].map((s) => env.topics.source(s as SourceId)));
    events = env.topics.all.flatMap((t, i) => (sourceTopics.has(t) ? (reads[i] ?? []).map((r) => ({ ...r, event: canonicalEvent.parse(JSON.parse(r.value)) })) : []));
  });

  afterAll(async () => {
    await env?.close();
  });

  it('ingests each fixture file in one successful run of three records, without rejects', () => {
    // 5 + 10 + 15 fixture files and 6 xlsx exports.
    expect(runs).toHaveLength(36);
    for (const r of runs) {
      expect({ origin: r.origin, status: r.status, error: r.error, read: r.read, accepted: r.accepted, rejected: r.rejected }).toEqual({
        origin: r.origin, status: 'succeeded', error: '', read: 3, accepted: 3, rejected: 0,
      });
    }
  });

  it('produces the expected events, read back from Kafka, for each run', () => {
    expect(events).toHaveLength(36 * 3);
    for (const r of runs) {
      const mine = events.filter((e) => e.event.run_id === r.runId).map((e) => e.event);
      const expected = EXPECTED[r.entity];
      expect(mine.map((e) => e.record_id).sort(), r.origin).toEqual(Object.keys(expected).sort());
      const isJson = /\.(nd)?jsonl?$/.test(r.origin);
      for (const e of mine) {
        const want = expected[e.record_id];
        expect(e.source).toBe(r.source);
        expect(e.entity).toBe(r.entity);
        expect(e.unit_code, `${r.origin} ${e.record_id}`).toBe(want?.unit);
        expect(e.data, `${r.origin} ${e.record_id}`).toMatchObject(want?.data ?? {});
        if (isJson && JSON_ONLY[e.record_id]) expect(e.data).toMatchObject(JSON_ONLY[e.record_id] ?? {});
        expect(e.origin.uri).toBe(r.origin);
        expect(e.origin.line).toBeGreaterThan(0);
      }
    }
  });

  it('keys each event by its record id, and takes NgayCapNhat or else the file time as updated_at', () => {
    for (const e of events) expect(e.key).toBe(e.event.record_id);
    const hs002 = events.filter((e) => e.event.record_id === 'HS-002');
    expect(hs002.length).toBe(6);
    for (const e of hs002) expect(e.event.updated_at).toBe(formatTime(statSync(e.event.origin.uri).mtimeMs));
    for (const e of events.filter((x) => x.event.record_id === 'HS-001')) expect(e.event.updated_at).toBe('2025-01-16T15:30:00+07:00');
  });

  it('records every run in the ledger: running, then succeeded with read = accepted + rejected and the produced offsets', () => {
    const ledger = all.filter((m) => m.value.includes('"started_at"')).map((m) => runMessage.parse(JSON.parse(m.value)));
    for (const r of runs) {
      const mine = ledger.filter((l) => l.run_id === r.runId);
      expect(mine.map((l) => l.status).sort()).toEqual(['running', 'succeeded']);
      const final = mine.find((l) => l.status === 'succeeded');
      expect(final?.read).toBe((final?.accepted ?? 0) + (final?.rejected ?? 0));
      expect(final?.read).toBe(3);
      expect(Object.keys(final?.produced_offsets ?? {}).length).toBeGreaterThan(0);
    }
    // The produced offsets name real messages of the run: the highest offset of its partition is one of its events.
    for (const r of runs) {
      for (const [tp, off] of Object.entries(r.producedOffsets)) {
        const [topic, partition] = [tp.slice(0, tp.lastIndexOf(':')), Number(tp.slice(tp.lastIndexOf(':') + 1))];
        if (topic !== env.topics.runs) {
          const at = events.find((e) => e.partition === partition && e.offset === off && e.event.run_id === r.runId);
          expect(at, `${r.origin} ${tp}@${off}`).toBeDefined();
        }
      }
    }
  });

  it('carries none of the personal data of the fixtures in any message', () => {
    expect(all.length).toBeGreaterThan(36 * 3);
    expect(personalDataIn(all.map((m) => m.value))).toEqual([]);
  });

  it('does not pick up ingested files again, and gives the same event ids when they are forced through again', async () => {
    const checkpoints = new FileCheckpoints(join(env.cfg.dataDir, 'checkpoints'));
    const skipped: string[] = [];
    const again = await ingestPath(env.deps, { source: 'public-service-portal', path: join(FIXTURES, 'public-service-portal'), checkpoints, onSkip: (f) => skipped.push(f) });
    expect(again).toHaveLength(0);
    expect(skipped).toHaveLength(15);

    const forced = await ingestPath(env.deps, { source: 'public-service-portal', path: join(FIXTURES, 'public-service-portal'), checkpoints, force: true });
    expect(forced.every((r) => r.status === 'succeeded' && r.accepted === 3)).toBe(true);
    const topic = env.topics.source('public-service-portal');
    const reread = (await readTopic(env.kafka, topic)).map((m) => canonicalEvent.parse(JSON.parse(m.value)));
    const ids = (runIds: Set<string>) =>
      reread.filter((e) => runIds.has(e.run_id)).map((e) => `${e.origin.uri}|${e.record_id}|${e.event_id}`).sort();
    const firstRuns = new Set(runs.filter((r) => r.source === 'public-service-portal' && !r.origin.endsWith('.xlsx')).map((r) => r.runId));
    expect(ids(new Set(forced.map((r) => r.runId)))).toEqual(ids(firstRuns));
    expect(ids(firstRuns)).toHaveLength(45);
  });
});
