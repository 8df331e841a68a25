// The sink's fast path: unchangedBy(schema)(v) must be true exactly when zod accepts v and returns
// it as it is. Checked on valid events of every entity and on hundreds of random mutations of them
// (wrong types, bad times, unknown or missing keys...), against zod itself.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalEvent, eventId } from '../../schemas/events.ts';
import { UnsupportedSchema, unchangedBy } from '../../schemas/unchanged.ts';
import { document, dossier, payment } from '../integration/sink-fixtures.ts';

const isCanonical = unchangedBy(canonicalEvent);
const updated = '2025-03-04T10:00:00+07:00';

function envelope(source: string, entity: string, recordId: string) {
  return { event_id: eventId(source as never, entity as never, recordId, updated), record_id: recordId, unit_code: 'U01', updated_at: updated, run_id: 'r1', origin: { uri: '/x.xlsx', sheet: 'Sheet1', line: 3 }, source, entity };
}

/** One valid event of each entity, as JSON would carry them. */
const valid: unknown[] = [
  dossier('HS-1', 4, updated),
  dossier('HS-2', 10, '2025-03-05T16:00:00.250+07:00', 'U02', { applicant_type: null, applicant_hash: 'ab12' }),
  dossier('HS-3', 9, updated, 'U01', { has_fee: true, steps: [{ status: 2, at: '2025-03-01T09:00:00+07:00' }, { status: 5, at: '2025-03-02T09:00:00+07:00' }, { status: 4, at: '2025-03-03T02:00:00Z' }] }),
  document('VB-1', 'public', updated),
  payment('TT-1', updated),
  { ...envelope('document-management', 'work-records', 'HSCV-1'), data: { level: 'XA', opened_at: '2025-03-01', closed_at: null, processed_online: true, secrecy: 'normal' } },
  { ...envelope('public-service-portal', 'services', 'DV-1'), data: { procedure_code: '1.001', procedure_name: 'Khai sinh', level: null, online_level: 'full', has_fee: false, redesigned: true, valid_from: '2025-01-01', valid_to: '2025-12-31', has_paper_result: true, max_days: 7 } },
  { ...envelope('public-service-portal', 'ratings', 'DG-1'), data: { dossier_code: 'HS-1', rated_at: '2025-03-04T10:00:00Z', level: 'satisfied' } },
].map((e) => JSON.parse(JSON.stringify(e)) as unknown);

/** What zod says, in the predicate's terms: accepted, and returned as it was given. */
function zodUnchanged(schema: z.ZodType, v: unknown): boolean {
  const r = schema.safeParse(v);
  return r.success && isDeepStrictEqual(r.data, v);
}

/** Every path to a value inside v (object keys, nested), the root excluded. */
function paths(v: unknown, prefix: string[] = []): string[][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [];
  return Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...paths(x, [...prefix, k])]);
}

const odd = [null, '', 'x', 0, -1, 1, 1.5, 10, 11, 2 ** 53, -0, true, false, {}, [], '2025-03-01', '2025-02-30', '2025-03-01T08:00:00+07:00', '2025-03-01T08:00:00', '2025-02-29T08:00:00Z', 'online', 'public', 'TINH', 'normal', 'dossiers', 'payments', 'one-stop-shop', 'public-service-portal', 'a'.repeat(32), '0123456789abcdef0123456789abcdef',
  // Identifiers and lengths (schemas/limits.ts): NUL, control and invisible characters, U+FFFD, a lone surrogate, too long.
  'U\u0000', 'a\u0007b', 'x\u200by', '\uFFFD', '\ud800', 'Mã đơn vị', 'x'.repeat(100), 'x'.repeat(101), 'x'.repeat(300), 'x'.repeat(1001)];

type Mutation = { kind: 'set'; at: number; value: unknown } | { kind: 'delete'; at: number } | { kind: 'add'; at: number; key: string };

function mutate(base: unknown, mutations: Mutation[]): unknown {
  const v = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  for (const m of mutations) {
    const all = paths(v);
    const path = all[m.at % Math.max(1, all.length)] ?? [];
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], v) as Record<string, unknown>;
    const key = path[path.length - 1];
    if (key === undefined || typeof parent !== 'object' || parent === null) continue;
    if (m.kind === 'set') parent[key] = m.value;
    else if (m.kind === 'delete') delete parent[key];
    else parent[m.key] = 1;
  }
  // As the sink gets it: parsed JSON.
  return JSON.parse(JSON.stringify(v));
}

describe('unchangedBy', () => {
  it('accepts valid events of every entity, as zod does, and returns nothing new', () => {
    for (const e of valid) {
      expect(isCanonical(e)).toBe(true);
      expect(zodUnchanged(canonicalEvent, e)).toBe(true);
    }
  });

  it('is true exactly when zod accepts the value and returns it unchanged, over random mutations', () => {
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(...odd) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.constantFrom('extra', '__proto__', 'constructor', 'data') }),
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.array(mutation, { minLength: 1, maxLength: 3 }), (base, ms) => {
        const v = mutate(base, ms);
        const fast = isCanonical(v);
        if (fast) accepted++;
        expect(fast).toBe(zodUnchanged(canonicalEvent, v));
      }),
      { numRuns: 6000, seed: 20261201 },
    );
    // Some mutations keep an event valid (an optional line dropped, a status in range): both sides seen.
    expect(accepted).toBeGreaterThan(0);
  });

  it('mirrors the identifier rule and the length caps of schemas/limits.ts', () => {
    const base = valid[0] as { unit_code: string; data: Record<string, unknown> };
    for (const unit of ['U\u0000', 'a\u0007b', '\uFFFD', 'x'.repeat(300), 'x\u2028y']) {
      const v = { ...base, unit_code: unit };
      expect(isCanonical(v)).toBe(false);
      expect(canonicalEvent.safeParse(v).success).toBe(false);
    }
    const long = { ...base, data: { ...base.data, procedure_name: 'x'.repeat(1001) } };
    expect(isCanonical(long)).toBe(false);
    expect(canonicalEvent.safeParse(long).success).toBe(false);
    const fine = { ...base, unit_code: 'Đơn vị 01', data: { ...base.data, procedure_name: 'x'.repeat(1000) } };
    expect(isCanonical(fine)).toBe(true);
    expect(zodUnchanged(canonicalEvent, fine)).toBe(true);
  });

  it('leaves to zod what zod would change: a default to fill in, an unknown key to strip', () => {
    const s = z.object({ a: z.string().default(''), b: z.number().int().min(1).max(3) });
    const test = unchangedBy(s);
    expect(test({ a: 'x', b: 2 })).toBe(true);
    expect(test({ b: 2 })).toBe(false);
    expect(s.safeParse({ b: 2 }).success).toBe(true);
    expect(test({ a: 'x', b: 2, c: 1 })).toBe(false);
    expect(test(JSON.parse('{"a":"x","b":2,"__proto__":{"c":1}}'))).toBe(false);
    expect(test({ a: 'x', b: 2.5 })).toBe(false);
    expect(test({ a: 'x', b: 4 })).toBe(false);
    expect(test([])).toBe(false);
  });

  it('refuses the kinds of schema it cannot mirror exactly', () => {
    const refused = [
      z.object({ u: z.url() }),
      z.object({ s: z.string().transform((x) => x.trim()) }),
      z.object({ s: z.string().trim() }),
      z.object({ n: z.number() }).refine((o) => o.n > 0),
      z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]),
      z.looseObject({ a: z.string() }),
      z.object({ d: z.coerce.number() }),
      z.object({ e: z.email() }),
    ];
    for (const s of refused) expect(() => unchangedBy(s)).toThrow(UnsupportedSchema);
  });
});
