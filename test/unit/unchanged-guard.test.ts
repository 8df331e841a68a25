// The guard of schemas/unchanged.ts, which compiles zod's INTERNAL definitions into the sink's fast
// path: zod must be exactly the version that file was reviewed against, and, on a table of valid and
// invalid samples of every schema it compiles, the compiled predicate must say what zod's own parse
// says (accepted and returned unchanged, or not). A zod upgrade that breaks it fails here, loudly,
// before the sink starts to take events zod refuses (or to refuse events zod accepts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalEvent, documentData, dossierData, eventId, origin, paymentData, ratingData, serviceData, workRecordData } from '../../schemas/events.ts';
import { REVIEWED_ZOD_VERSION, unchangedBy } from '../../schemas/unchanged.ts';

const installed = (createRequire(import.meta.url)('zod/package.json') as { version: string }).version;
const HEADLINE = `zod's internals changed: schemas/unchanged.ts must be reviewed before upgrading zod from ${REVIEWED_ZOD_VERSION}`;

const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Record<string, unknown>;

const updated = '2025-03-04T10:00:00+07:00';
function event(source: string, entity: string, recordId: string, data: Record<string, unknown>, over: Record<string, unknown> = {}) {
  return {
    event_id: eventId(source as never, entity as never, recordId, updated),
    record_id: recordId,
    unit_code: 'U01',
    updated_at: updated,
    run_id: 'run-1',
    origin: { uri: '/exports/x.xlsx', sheet: 'Sheet1', line: 3 },
    source,
    entity,
    data,
    ...over,
  };
}

const dossier = {
  procedure_code: '1.001',
  procedure_name: 'Đăng ký khai sinh',
  field_code: 'HT',
  channel: 'online',
  status: 4,
  applicant_type: 'citizen',
  submitted_at: '2025-03-01T08:00:00+07:00',
  received_at: '2025-03-01T09:00:00.250+07:00',
  due_at: '2025-03-05T17:00:00Z',
  finished_at: null,
  returned_at: null,
  refused_at: null,
  has_digitized_components: true,
  vneid_authenticated: false,
  paid_online: false,
  components_count: 0,
  has_reused_component: false,
  has_electronic_result: false,
  applicant_hash: null,
  has_component_file: true,
  has_national_repo_component: false,
  has_fee: false,
  steps: [],
};
const steps = [
  { status: 2, at: '2025-03-01T09:00:00+07:00' },
  { status: 5, at: '2025-03-02T10:00:00.500+07:00' },
  { status: 4, at: '2025-03-03T02:00:00Z' },
];
const documentRow = { number: '12/UBND', register: 'outgoing', kind: 'CV', issued_at: '2025-03-02', received_at: null, form: 'electronic', signature: 'public', secrecy: 'normal', to_state_agencies: true, via_national_axis: true };
const workRecord = { level: 'XA', opened_at: '2025-03-01', closed_at: null, processed_online: true, secrecy: 'secret' };
const service = { procedure_code: '1.001', procedure_name: 'Khai sinh', level: null, online_level: 'full', has_fee: false, redesigned: true, valid_from: '2025-01-01', valid_to: '2025-12-31', has_paper_result: null, max_days: null };
const payment = { dossier_code: 'HS-1', procedure_code: null, amount: 50_000, method: 'online', status: 'success', paid_at: updated };
const rating = { dossier_code: null, rated_at: '2025-03-04T03:00:00Z', level: 'very_satisfied' };

/**
 * Every schema unchangedBy compiles in the project (services/sink/decode.ts: canonicalEvent), and the
 * parts it is made of. valid: zod takes the sample and returns it as it is; invalid: zod refuses it,
 * or changes it (a default filled in, an unknown key stripped). Samples are used as the sink gets
 * them, parsed JSON (asJson).
 */
const TABLE: { name: string; schema: z.ZodType; valid: unknown[]; invalid: unknown[] }[] = [
  {
    name: 'canonicalEvent',
    schema: canonicalEvent,
    valid: [
      event('one-stop-shop', 'dossiers', 'HS-1', dossier),
      event('one-stop-shop', 'dossiers', 'HS-3', { ...dossier, steps, has_fee: true }),
      event('one-stop-shop', 'dossiers', 'HS-2', { ...dossier, status: 10, applicant_type: null, finished_at: updated, applicant_hash: 'ab12' }, { unit_code: 'Đơn vị 01', origin: { uri: 'https://dvc.example.vn/api/dossiers', page: 1, index: 0 } }),
      event('document-management', 'documents', 'VB-1', documentRow),
      event('document-management', 'work-records', 'HSCV-1', workRecord),
      event('public-service-portal', 'services', 'DV-1', service),
      event('public-service-portal', 'payments', 'TT-1', payment),
      event('public-service-portal', 'ratings', 'DG-1', rating),
    ],
    invalid: [
      event('one-stop-shop', 'payments', 'TT-1', payment),
      event('one-stop-shop', 'unknown-entity', 'X-1', payment),
      event('one-stop-shop', 'dossiers', 'HS-1', dossier, { event_id: 'NOT-HEX' }),
      event('one-stop-shop', 'dossiers', 'HS-1', dossier, { updated_at: '2025-03-04T10:00:00' }),
      event('one-stop-shop', 'dossiers', 'HS-1', dossier, { unit_code: '' }),
      event('one-stop-shop', 'dossiers', 'HS-1', dossier, { unit_code: 'U\u0000' }),
      event('one-stop-shop', 'dossiers', 'HS-1', dossier, { record_id: 'x'.repeat(257) }),
      event('one-stop-shop', 'dossiers', 'HS-1', dossier, { extra: 1 }),
      event('one-stop-shop', 'dossiers', 'HS-1', { ...dossier, procedure_name: undefined }),
      { ...event('one-stop-shop', 'dossiers', 'HS-1', dossier), entity: undefined },
      null,
      [],
      'event',
    ],
  },
  { name: 'origin', schema: origin, valid: [{ uri: '/x.ndjson', line: 1 }, { uri: 'https://a/b', page: 2, index: 0 }, { uri: '/x.xlsx', sheet: 'Trang 1', line: 9 }], invalid: [{ uri: '' }, { uri: '/x', line: 0 }, { uri: '/x', page: -1 }, { uri: '/x', index: 1.5 }, { uri: '/x', sheet: 'x'.repeat(300) }, { line: 1 }, { uri: '/x', line: '1' }] },
  {
    name: 'dossierData',
    schema: dossierData,
    valid: [dossier, { ...dossier, steps }, { ...dossier, steps: Array.from({ length: 500 }, () => steps[0]) }, { ...dossier, has_fee: true, has_national_repo_component: true }],
    invalid: [
      { ...dossier, steps: Array.from({ length: 501 }, () => steps[0]) },
      { ...dossier, steps: [{ status: 11, at: steps[0]!.at }] },
      { ...dossier, steps: [{ status: 0, at: steps[0]!.at }] },
      { ...dossier, steps: [{ status: 4, at: '2025-03-01T09:00:00' }] },
      { ...dossier, steps: [{ status: 4, at: steps[0]!.at, NguoiXuLy: 'x' }] },
      { ...dossier, steps: [{ status: 4 }] },
      { ...dossier, steps: [steps[0], null] },
      { ...dossier, steps: { 0: steps[0] } },
      { ...dossier, steps: undefined },
      { ...dossier, has_fee: undefined },
      { ...dossier, has_component_file: 1 },
    ],
  },
  { name: 'dossierData, each field', schema: dossierData, valid: [dossier], invalid: [{ ...dossier, status: 0 }, { ...dossier, status: 11 }, { ...dossier, status: 4.5 }, { ...dossier, channel: 'fax' }, { ...dossier, components_count: -1 }, { ...dossier, submitted_at: '2025-02-30T08:00:00+07:00' }, { ...dossier, paid_online: 'false' }, { ...dossier, field_code: undefined }, { ...dossier, applicant_hash: 'a\u0007b' }] },
  { name: 'documentData', schema: documentData, valid: [documentRow, { ...documentRow, received_at: '2025-03-03', signature: 'none', form: 'paper' }], invalid: [{ ...documentRow, issued_at: '2025-3-2' }, { ...documentRow, issued_at: '2025-02-30' }, { ...documentRow, register: 'internal' }, { ...documentRow, number: 'x'.repeat(1001) }, { ...documentRow, secrecy: null }] },
  { name: 'workRecordData', schema: workRecordData, valid: [workRecord, { ...workRecord, level: null, closed_at: '2025-03-09' }], invalid: [{ ...workRecord, level: 'xa' }, { ...workRecord, opened_at: null }, { ...workRecord, processed_online: 1 }] },
  { name: 'serviceData', schema: serviceData, valid: [service, { ...service, level: 'TINH', valid_to: null }, { ...service, has_paper_result: true, max_days: 0 }, { ...service, has_paper_result: false, max_days: 3650 }], invalid: [{ ...service, max_days: 3651 }, { ...service, max_days: -1 }, { ...service, max_days: 1.5 }, { ...service, has_paper_result: 1 }, { ...service, max_days: undefined }, { ...service, online_level: 'some' }, { ...service, procedure_code: '' }, { ...service, valid_from: '2025-01-01T00:00:00Z' }, { ...service, has_fee: null }] },
  { name: 'paymentData', schema: paymentData, valid: [payment, { ...payment, dossier_code: null, procedure_code: '1.001', amount: 0 }], invalid: [{ ...payment, amount: -1 }, { ...payment, amount: 1.5 }, { ...payment, amount: 2 ** 53 }, { ...payment, method: 'cash' }, { ...payment, paid_at: '2025-03-04' }] },
  { name: 'ratingData', schema: ratingData, valid: [rating, { ...rating, dossier_code: 'HS-1', level: 'unsatisfied' }], invalid: [{ ...rating, level: 'ok' }, { ...rating, rated_at: null }, {}] },
];

/** A value as the sink gets it: JSON text parsed (no undefined, no NaN, no shared objects). */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null');

/** zod's own verdict, in the predicate's terms: accepted, and returned as it was given. */
function zodSays(schema: z.ZodType, v: unknown): boolean {
  const r = schema.safeParse(v);
  return r.success && isDeepStrictEqual(r.data, v);
}

/** Values put in place of each field of a valid sample: the other kinds of value zod must refuse or take. */
const ODD: unknown[] = [null, '', 'x', 0, -1, 1.5, 2 ** 53, true, {}, [], '2025-03-01', '2025-02-30', '2025-03-01T08:00:00+07:00', '2025-03-01T08:00:00', 'online', 'XA', 'x'.repeat(1001)];

/** Every variant of v with one field (at any depth) replaced by an odd value, removed, or joined by an unknown key. */
function variants(v: unknown): unknown[] {
  // An array (a dossier's steps): each element replaced by an odd value or by one of its own variants, or dropped.
  if (Array.isArray(v)) {
    return v.flatMap((x, i) => [v.filter((_, j) => j !== i), ...[...ODD, ...variants(x)].map((inner) => v.map((y, j) => (j === i ? inner : y)))]);
  }
  if (typeof v !== 'object' || v === null) return [];
  const o = v as Record<string, unknown>;
  const out: unknown[] = [{ ...o, unknown_key: 1 }];
  for (const [k, x] of Object.entries(o)) {
    const { [k]: _gone, ...without } = o;
    out.push(without);
    for (const odd of ODD) out.push({ ...o, [k]: odd });
    for (const inner of variants(x)) out.push({ ...o, [k]: inner });
  }
  return out;
}

describe('the guard of schemas/unchanged.ts (zod internals compiled with new Function)', () => {
  it(`runs on zod ${REVIEWED_ZOD_VERSION} exactly, pinned so in package.json and package-lock.json`, () => {
    const pkg = readJson('../../package.json') as { dependencies: Record<string, string> };
    const lock = readJson('../../package-lock.json') as { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
    expect(pkg.dependencies.zod, `${HEADLINE}: package.json must pin zod exactly to ${REVIEWED_ZOD_VERSION} (no ^ or ~), found ${pkg.dependencies.zod}`).toBe(REVIEWED_ZOD_VERSION);
    expect(lock.packages['']?.dependencies?.zod, `${HEADLINE}: package-lock.json's root must pin zod to ${REVIEWED_ZOD_VERSION}`).toBe(REVIEWED_ZOD_VERSION);
    expect(lock.packages['node_modules/zod']?.version, `${HEADLINE}: package-lock.json locks another zod`).toBe(REVIEWED_ZOD_VERSION);
    expect(installed, `${HEADLINE}: the installed zod is ${installed}`).toBe(REVIEWED_ZOD_VERSION);
    const { major, minor, patch } = z.core.version;
    expect(`${major}.${minor}.${patch}`, `${HEADLINE}: the zod loaded at run time says it is another version`).toBe(REVIEWED_ZOD_VERSION);
  });

  it('keeps a table that means something: zod takes every valid sample unchanged and refuses every invalid one', () => {
    for (const { name, schema, valid, invalid } of TABLE) {
      for (const v of valid.map(asJson)) expect(zodSays(schema, v), `${name}: a valid sample of the table is not taken unchanged by zod: ${JSON.stringify(v)}`).toBe(true);
      for (const v of invalid.map(asJson)) expect(zodSays(schema, v), `${name}: an invalid sample of the table is taken unchanged by zod: ${JSON.stringify(v)}`).toBe(false);
    }
  });

  it('compiles to a predicate that agrees with zod on every sample of the table and on every one-field variant of the valid ones', () => {
    const disagreements: string[] = [];
    let samples = 0;
    for (const { name, schema, valid, invalid } of TABLE) {
      const compiled = unchangedBy(schema);
      for (const v of [...valid, ...invalid, ...valid.flatMap(variants)].map(asJson)) {
        samples++;
        const fast = compiled(v);
        const slow = zodSays(schema, v);
        if (fast !== slow) disagreements.push(`${name}: the compiled check says ${fast ? 'taken' : 'refused'}, zod says ${slow ? 'taken' : 'refused'}: ${JSON.stringify(v)?.slice(0, 300)}`);
      }
    }
    expect(samples).toBeGreaterThan(3000);
    expect(disagreements, `${HEADLINE} (installed: ${installed}); ${disagreements.length} of ${samples} samples disagree:\n${disagreements.slice(0, 20).join('\n')}`).toEqual([]);
  });
});
