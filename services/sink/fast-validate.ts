// A hand-written check of the canonical events as connectors write them, ~10x cheaper than the zod
// parse (which copies every object) on the sink's one JS thread. It returns the parsed JSON object
// itself when it is a canonical event with exactly the schema's keys, and undefined otherwise: the
// caller then asks the zod schema of schemas/events.ts, which stays the definition of the contract.
// test/unit/sink-fast-validate.test.ts proves with fast-check that whatever this accepts, zod
// accepts with an equal result, and that it accepts every valid event in the connectors' form.
import { z } from 'zod';
import type { CanonicalEvent } from '../../schemas/events.ts';

// zod's own patterns, so that "a valid time / day" means exactly what the schema means.
const TIME = patternOf(z.iso.datetime({ offset: true }));
const DAY = patternOf(z.iso.date());
const EVENT_ID = /^[0-9a-f]{32}$/;

function patternOf(s: { _zod: { pattern?: RegExp } }): RegExp {
  const p = s._zod.pattern;
  if (!(p instanceof RegExp)) throw new Error('zod no longer exposes its format pattern: update fast-validate.ts');
  return p;
}

type Check = (v: unknown) => boolean;

const str: Check = (v) => typeof v === 'string';
const str1: Check = (v) => typeof v === 'string' && v.length > 0;
const strOrNull: Check = (v) => v === null || typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const time: Check = (v) => typeof v === 'string' && TIME.test(v);
const timeOrNull: Check = (v) => v === null || time(v);
const day: Check = (v) => typeof v === 'string' && DAY.test(v);
const dayOrNull: Check = (v) => v === null || day(v);
const oneOf = (...xs: string[]): Check => {
  const s = new Set(xs);
  return (v) => typeof v === 'string' && s.has(v);
};
const orNull = (c: Check): Check => (v) => v === null || c(v);
const int = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

const level = oneOf('TINH', 'HUYEN', 'XA');
const secrecy = oneOf('normal', 'secret', 'top_secret', 'absolute_secret');

/** Every key of each entity's data (schemas/events.ts): a missing one (zod would default it) or an extra one (zod would strip it) goes to zod. */
const DATA: Record<string, { source: string; fields: [string, Check][] }> = {
  dossiers: {
    source: 'one-stop-shop',
    fields: [
      ['procedure_code', str1],
      ['procedure_name', str],
      ['field_code', str],
      ['channel', oneOf('in_person', 'online', 'postal')],
      ['status', int(1, 10)],
      ['applicant_type', orNull(oneOf('citizen', 'organisation'))],
      ['submitted_at', timeOrNull],
      ['received_at', timeOrNull],
      ['due_at', timeOrNull],
      ['finished_at', timeOrNull],
      ['returned_at', timeOrNull],
      ['refused_at', timeOrNull],
      ['has_digitized_components', bool],
      ['vneid_authenticated', bool],
      ['paid_online', bool],
      ['components_count', int(0)],
      ['has_reused_component', bool],
      ['has_electronic_result', bool],
      ['applicant_hash', strOrNull],
    ],
  },
  documents: {
    source: 'document-management',
    fields: [
      ['number', str],
      ['register', oneOf('outgoing', 'incoming')],
      ['kind', str],
      ['issued_at', day],
      ['received_at', dayOrNull],
      ['form', oneOf('electronic', 'paper')],
      ['signature', oneOf('none', 'specialised', 'public')],
      ['secrecy', secrecy],
      ['to_state_agencies', bool],
      ['via_national_axis', bool],
    ],
  },
  'work-records': {
    source: 'document-management',
    fields: [
      ['level', orNull(level)],
      ['opened_at', day],
      ['closed_at', dayOrNull],
      ['processed_online', bool],
      ['secrecy', secrecy],
    ],
  },
  services: {
    source: 'public-service-portal',
    fields: [
      ['procedure_code', str1],
      ['procedure_name', str],
      ['level', orNull(level)],
      ['online_level', oneOf('full', 'partial', 'none')],
      ['has_fee', bool],
      ['redesigned', bool],
      ['valid_from', day],
      ['valid_to', dayOrNull],
    ],
  },
  payments: {
    source: 'public-service-portal',
    fields: [
      ['dossier_code', strOrNull],
      ['procedure_code', strOrNull],
      ['amount', int(0)],
      ['method', oneOf('online', 'in_person')],
      ['status', oneOf('success', 'failed', 'pending')],
      ['paid_at', time],
    ],
  },
  ratings: {
    source: 'public-service-portal',
    fields: [
      ['dossier_code', strOrNull],
      ['rated_at', time],
      ['level', oneOf('very_satisfied', 'satisfied', 'unsatisfied')],
    ],
  },
};

const ENVELOPE: [string, Check][] = [
  ['event_id', (v) => typeof v === 'string' && EVENT_ID.test(v)],
  ['record_id', str1],
  ['unit_code', str1],
  ['updated_at', time],
  ['run_id', str1],
];
const ORIGIN_OPTIONAL: [string, Check][] = [
  ['line', int(1)],
  ['page', int(0)],
  ['index', int(0)],
  ['sheet', str],
];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyCount(o: object): number {
  let n = 0;
  for (const k in o) if (Object.hasOwn(o, k)) n++;
  return n;
}

function validOrigin(o: unknown): boolean {
  if (!isPlainObject(o) || !Object.hasOwn(o, 'uri') || !str1(o.uri)) return false;
  let n = 1;
  for (const [k, check] of ORIGIN_OPTIONAL) {
    if (!Object.hasOwn(o, k)) continue;
    if (!check(o[k])) return false;
    n++;
  }
  return keyCount(o) === n;
}

/** The event itself when it passes the fast check, else undefined (ask zod: it may still be valid, or say why not). */
export function fastCanonicalEvent(v: unknown): CanonicalEvent | undefined {
  if (!isPlainObject(v)) return undefined;
  const spec = typeof v.entity === 'string' && Object.hasOwn(DATA, v.entity) ? DATA[v.entity] : undefined;
  if (spec === undefined || v.source !== spec.source) return undefined;
  // The envelope's 5 fields + source, entity, origin, data: nothing else.
  if (keyCount(v) !== ENVELOPE.length + 4) return undefined;
  for (const [k, check] of ENVELOPE) if (!Object.hasOwn(v, k) || !check(v[k])) return undefined;
  if (!validOrigin(v.origin)) return undefined;
  const d = v.data;
  if (!isPlainObject(d) || keyCount(d) !== spec.fields.length) return undefined;
  for (const [k, check] of spec.fields) if (!Object.hasOwn(d, k) || !check(d[k])) return undefined;
  return v as unknown as CanonicalEvent;
}
