// The sink's fast check of canonical events against the zod schema that defines them: every valid
// event in the connectors' form passes the fast check with the same value zod returns; whatever the
// fast check passes (mutated, truncated, extended, retyped events), zod passes with an equal value.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEvent, ENTITIES, type EntityName, eventId, SOURCES } from '../../schemas/events.ts';
import { fastCanonicalEvent } from '../../services/sink/fast-validate.ts';

const RUNS = 400;

/** Mostly valid values (so that whole events are often valid), sometimes a near miss. */
const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: invalid });
const pick = (valid: string[], invalid: string[]) => mostly(fc.constantFrom(...valid), fc.constantFrom(...invalid));
// Times and days: valid ones in several offsets and precisions, and near misses zod must judge.
const instant = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true });
const offset = fc.constantFrom('+07:00', 'Z', '-05:30', '+00:00', '+14:00');
const validTime = fc.tuple(instant, offset, fc.constantFrom('', '.5', '.123', '.123456')).map(([d, o, frac]) => `${d.toISOString().slice(0, 19)}${frac}${o}`);
const nearTime = fc.oneof(
  validTime.map((t) => t.replace('T', ' ')),
  validTime.map((t) => t.replace(/(Z|[+-]\d\d:\d\d)$/, '')),
  fc.constantFrom('2025-02-29T10:00:00+07:00', '2024-02-29T10:00:00+07:00', '2025-13-01T00:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T10:00:00+0700', ''),
  fc.string(),
);
const time = mostly(validTime, nearTime);
const validDay = instant.map((d) => d.toISOString().slice(0, 10));
const day = mostly(validDay, fc.oneof(fc.constantFrom('2025-02-29', '2024-02-29', '2025-1-01', ''), fc.string()));
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 3 });
const text = mostly(fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('Đăng ký khai sinh', '1.001')), fc.oneof(fc.constant(''), fc.string()));
const int = mostly(fc.integer({ min: 1, max: 70_000 }), fc.constantFrom(-1, 0, Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5, -0));
const status = mostly(fc.integer({ min: 1, max: 10 }), fc.constantFrom(0, 11, -0, 5.5));
const level = pick(['TINH', 'HUYEN', 'XA'], ['tinh']);
const secrecy = pick(['normal', 'secret', 'top_secret', 'absolute_secret'], ['public']);

const DATA: Record<EntityName, fc.Arbitrary<Record<string, unknown>>> = {
  dossiers: fc.record({
    procedure_code: text,
    procedure_name: text,
    field_code: text,
    channel: pick(['in_person', 'online', 'postal'], ['fax']),
    status,
    applicant_type: nullable(pick(['citizen', 'organisation'], ['x'])),
    submitted_at: nullable(time),
    received_at: nullable(time),
    due_at: nullable(time),
    finished_at: nullable(time),
    returned_at: nullable(time),
    refused_at: nullable(time),
    has_digitized_components: fc.boolean(),
    vneid_authenticated: fc.boolean(),
    paid_online: fc.boolean(),
    components_count: int,
    has_reused_component: fc.boolean(),
    has_electronic_result: fc.boolean(),
    applicant_hash: nullable(fc.string()),
  }),
  documents: fc.record({
    number: text,
    register: pick(['outgoing', 'incoming'], ['other']),
    kind: text,
    issued_at: day,
    received_at: nullable(day),
    form: pick(['electronic', 'paper'], ['Electronic']),
    signature: pick(['none', 'specialised', 'public'], ['wet']),
    secrecy,
    to_state_agencies: fc.boolean(),
    via_national_axis: fc.boolean(),
  }),
  'work-records': fc.record({ level: nullable(level), opened_at: day, closed_at: nullable(day), processed_online: fc.boolean(), secrecy }),
  services: fc.record({
    procedure_code: text,
    procedure_name: text,
    level: nullable(level),
    online_level: pick(['full', 'partial', 'none'], ['some']),
    has_fee: fc.boolean(),
    redesigned: fc.boolean(),
    valid_from: day,
    valid_to: nullable(day),
  }),
  payments: fc.record({
    dossier_code: nullable(fc.string()),
    procedure_code: nullable(fc.string()),
    amount: int,
    method: pick(['online', 'in_person'], ['cash']),
    status: pick(['success', 'failed', 'pending'], ['ok']),
    paid_at: time,
  }),
  ratings: fc.record({ dossier_code: nullable(fc.string()), rated_at: time, level: pick(['very_satisfied', 'satisfied', 'unsatisfied'], ['meh']) }),
};

const entity = fc.constantFrom(...SOURCES.flatMap((s) => ENTITIES[s].map((e) => [s, e] as const)));
const origin = fc.record(
  { uri: text, line: mostly(int, fc.constant(0)), page: mostly(fc.nat(), fc.constant(-1)), index: mostly(fc.nat(), fc.constant(0.5)), sheet: fc.string() },
  { requiredKeys: ['uri'] },
);

/** Candidate events: mostly well formed, every field drawn from valid and invalid values. */
const candidate = entity.chain(([source, name]) =>
  fc.record({
    event_id: mostly(fc.constant(eventId(source, name, 'R1', '2025-03-01T10:00:00+07:00')), fc.oneof(fc.string(), fc.constant('A'.repeat(32)))),
    record_id: text,
    unit_code: text,
    updated_at: time,
    run_id: text,
    origin,
    source: fc.oneof({ weight: 5, arbitrary: fc.constant<string>(source) }, { weight: 1, arbitrary: fc.constantFrom<string>(...SOURCES) }),
    entity: fc.constant<string>(name),
    data: DATA[name],
  }),
);

/** Structural mutations zod treats specially: a missing key (default or error), an extra key (stripped), a retyped value. */
const mutated = fc.tuple(candidate, fc.nat(), fc.nat(), fc.constantFrom('drop', 'extra', 'retype', 'drop-data', 'extra-data', 'retype-data', 'extra-origin', 'none'), fc.jsonValue()).map(
  ([e, i, j, how, v]) => {
    const ev: Record<string, unknown> = structuredClone(e);
    const data = ev.data as Record<string, unknown>;
    const keys = Object.keys(ev);
    const dataKeys = Object.keys(data);
    const k = keys[i % keys.length] ?? 'event_id';
    const dk = dataKeys[j % dataKeys.length] ?? 'status';
    if (how === 'drop') delete ev[k];
    else if (how === 'extra') ev.unexpected = v;
    else if (how === 'retype') ev[k] = v;
    else if (how === 'drop-data') delete data[dk];
    else if (how === 'extra-data') data.unexpected = v;
    else if (how === 'retype-data') data[dk] = v;
    else if (how === 'extra-origin') (ev.origin as Record<string, unknown>).unexpected = v;
    return ev;
  },
);

describe('fastCanonicalEvent', () => {
  it('accepts every event zod accepts in the connectors form (all keys, nothing extra), with the same value', () => {
    fc.assert(
      fc.property(candidate, (raw) => {
        const wire = JSON.parse(JSON.stringify(raw)) as unknown;
        const z = canonicalEvent.safeParse(wire);
        const fast = fastCanonicalEvent(JSON.parse(JSON.stringify(raw)));
        if (z.success) expect(fast).toEqual(z.data);
        else expect(fast).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts nothing that zod rejects or would change (defaults, stripped keys)', () => {
    fc.assert(
      fc.property(mutated, (raw) => {
        const wire = JSON.parse(JSON.stringify(raw)) as unknown;
        const fast = fastCanonicalEvent(wire);
        if (fast === undefined) return;
        const z = canonicalEvent.safeParse(wire);
        expect(z.success).toBe(true);
        expect(fast).toEqual(z.data);
        // Strictly the same keys and values (key order aside): nothing zod would strip or default.
        expect(isDeepStrictEqual(fast, z.data)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('agrees with zod on every single-field near miss of valid events, field by field', () => {
    const NEAR: unknown[] = [null, '', 'x', -1, 0, 11, 1.5, -0, 2 ** 53, true, [], {}, '2025-02-29', '2025-03-01T10:00:00', '2025-03-01T10:00:00+07:00', '2025-03-01', 'A'.repeat(32)];
    const valid = fc.sample(candidate, 400).map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>).filter((e) => canonicalEvent.safeParse(e).success);
    const byEntity = new Map(valid.map((e) => [e.entity, e]));
    expect(byEntity.size).toBe(6);
    let checked = 0;
    for (const base of byEntity.values()) {
      const paths: [string, string | undefined][] = [
        ...Object.keys(base).map((k): [string, undefined] => [k, undefined]),
        ...Object.keys(base.data as object).map((k): [string, string] => ['data', k]),
        ...['uri', 'line', 'page', 'index', 'sheet'].map((k): [string, string] => ['origin', k]),
      ];
      for (const [k, sub] of paths) {
        for (const v of NEAR) {
          const e = structuredClone(base);
          if (sub === undefined) e[k] = v;
          else (e[k] as Record<string, unknown>)[sub] = v;
          const wire = JSON.parse(JSON.stringify(e)) as unknown;
          const z = canonicalEvent.safeParse(wire);
          const fast = fastCanonicalEvent(wire);
          if (fast !== undefined) expect({ path: `${k}.${sub ?? ''}`, v, ok: z.success, same: z.success && isDeepStrictEqual(z.data, fast) }).toEqual({ path: `${k}.${sub ?? ''}`, v, ok: true, same: true });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('passes the fast check for most generated candidates (the property tests above are not vacuous)', () => {
    const sample = fc.sample(candidate, 300).map((e) => JSON.parse(JSON.stringify(e)) as unknown);
    const fast = sample.filter((e) => fastCanonicalEvent(e) !== undefined).length;
    const zod = sample.filter((e) => canonicalEvent.safeParse(e).success).length;
    expect(fast).toBe(zod);
    expect(fast).toBeGreaterThan(30);
  });

  it('leaves to zod a non-object, an unknown entity, and an event on the wrong source', () => {
    for (const v of [null, 1, 'x', [], {}, { entity: 'toString' }, { entity: 'dossiers', source: 'document-management' }]) expect(fastCanonicalEvent(v)).toBeUndefined();
  });
});
