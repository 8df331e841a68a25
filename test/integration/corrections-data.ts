// The province of the corrections test (corrections.test.ts): versions of every kind of record over
// March 2025, built with the contract's schemas and eventId() as connectors build them, from a
// seeded generator so that every run sends the same exports.
import { type CanonicalEvent, canonicalEvent, type EntityName, eventId, sourceOf } from '../../schemas/events.ts';

export const WARDS = ['X0101', 'X0102', 'X0103', 'X0104', 'X0201', 'X0202'];
export const PROCEDURES = ['P1', 'P2', 'P3', 'P4'];

/** A small deterministic generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** 'YYYY-MM-DD' of a March day. */
export const march = (day: number) => `2025-03-${pad(day)}`;
/** An ISO time on a March day, in Viet Nam. */
export const at = (day: number, hour: number, minute = 0) => `${march(day)}T${pad(hour)}:${pad(minute)}:00+07:00`;

let line = 0;
export function event(entity: EntityName, recordId: string, unit: string, updatedAt: string, data: Record<string, unknown>): CanonicalEvent {
  const source = sourceOf(entity);
  return canonicalEvent.parse({
    event_id: eventId(source, entity, recordId, updatedAt),
    record_id: recordId,
    unit_code: unit,
    updated_at: updatedAt,
    run_id: 'run-corrections',
    origin: { uri: `/exports/${entity}.ndjson`, line: ++line },
    source,
    entity,
    data,
  });
}

export interface DossierVersion {
  id: string;
  unit: string;
  proc: string;
  online: boolean;
  status: number;
  received: number;
  /** Hour of reception: 23 puts it late in the evening, still that day in Viet Nam. */
  hour: number;
  finished: number | null;
  due: number;
  digitized: boolean;
  reused: boolean;
  vneid: boolean;
  eresult: boolean;
  /** Version time: a later version has a later one. */
  version: number;
}

export function dossierEvent(d: DossierVersion): CanonicalEvent {
  return event('dossiers', d.id, d.unit, at(Math.min(31, 20 + d.version), 8, d.version), {
    procedure_code: d.proc,
    procedure_name: '',
    field_code: '',
    channel: d.online ? 'online' : 'in_person',
    status: d.status,
    applicant_type: 'citizen',
    submitted_at: at(d.received, 7),
    received_at: d.status === 1 ? null : at(d.received, d.hour),
    due_at: at(d.due, 17),
    finished_at: d.finished === null ? null : at(d.finished, 16),
    returned_at: null,
    refused_at: null,
    has_digitized_components: d.digitized,
    vneid_authenticated: d.vneid,
    paid_online: false,
    components_count: 1,
    has_reused_component: d.reused,
    has_electronic_result: d.eresult,
    applicant_hash: null,
  });
}

/** A first version of dossier n, received in the first half of March. */
export function newDossier(rnd: () => number, n: number, unit?: string): DossierVersion {
  const received = 1 + Math.floor(rnd() * 15);
  const status = [2, 4, 10, 10][Math.floor(rnd() * 4)] ?? 2;
  return {
    id: `HS-${String(n).padStart(3, '0')}`,
    unit: unit ?? WARDS[Math.floor(rnd() * WARDS.length)] ?? 'X0101',
    proc: PROCEDURES[Math.floor(rnd() * PROCEDURES.length)] ?? 'P1',
    online: rnd() < 0.6,
    status,
    received,
    hour: rnd() < 0.2 ? 23 : 9,
    finished: status === 10 ? received + Math.floor(rnd() * 6) : null,
    due: received + 3,
    digitized: rnd() < 0.5,
    reused: rnd() < 0.3,
    vneid: rnd() < 0.5,
    eresult: status === 10 && rnd() < 0.5,
    version: 0,
  };
}

/** A correction: the received date moved by a few days and the status advanced (finished). */
export function corrected(rnd: () => number, d: DossierVersion, version: number, over: Partial<DossierVersion> = {}): DossierVersion {
  const received = Math.max(1, Math.min(18, d.received + (rnd() < 0.5 ? -1 : 1) * (1 + Math.floor(rnd() * 3))));
  const finished = received + Math.floor(rnd() * 5);
  return { ...d, received, status: 10, finished, due: received + 2, eresult: rnd() < 0.6, version, ...over };
}

export function service(id: string, unit: string, proc: string, level: 'full' | 'partial' | 'none', from: string, version: number, redesigned = false, to: string | null = null): CanonicalEvent {
  return event('services', id, unit, at(20 + version, 6), {
    procedure_code: proc, procedure_name: '', level: 'XA', online_level: level, has_fee: true, redesigned, valid_from: from, valid_to: to,
  });
}

export function payment(id: string, unit: string, dossier: string | null, day: number, online: boolean, version: number, proc: string | null = null): CanonicalEvent {
  return event('payments', id, unit, at(Math.min(31, 20 + version), 9), {
    dossier_code: dossier, procedure_code: proc, amount: 20000, method: online ? 'online' : 'in_person', status: 'success', paid_at: at(day, 10),
  });
}

export function rating(id: string, unit: string, dossier: string | null, day: number, happy: boolean, version: number): CanonicalEvent {
  return event('ratings', id, unit, at(Math.min(31, 20 + version), 11), { dossier_code: dossier, rated_at: at(day, 15), level: happy ? 'satisfied' : 'unsatisfied' });
}

export function documentEvent(id: string, unit: string, day: number, signed: boolean, version: number): CanonicalEvent {
  return event('documents', id, unit, at(Math.min(31, 20 + version), 12), {
    number: id, register: 'outgoing', kind: 'CV', issued_at: march(day), received_at: null, form: 'electronic',
    signature: signed ? 'specialised' : 'none', secrecy: 'normal', to_state_agencies: true, via_national_axis: false,
  });
}

export function workRecord(id: string, unit: string, day: number, online: boolean, version: number): CanonicalEvent {
  return event('work-records', id, unit, at(Math.min(31, 20 + version), 13), { level: 'XA', opened_at: march(day), closed_at: null, processed_online: online, secrecy: 'normal' });
}
