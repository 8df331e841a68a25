// The canonical events chiso carries on Kafka (chiso.<source>.v1), the reject messages
// (chiso.rejects.v1) and the ingestion-run ledger (chiso.runs.v1). Connectors produce them; the sink
// validates them with these same schemas before writing ClickHouse. Personal data never appears here:
// at most a keyed hash (HMAC-SHA256) where a distinct count or a join needs it.
//
// Times are ISO 8601 strings with an explicit offset (connectors emit +07:00, Asia/Ho_Chi_Minh);
// days are 'YYYY-MM-DD' calendar days in Asia/Ho_Chi_Minh.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IDENTIFIER, IDENTIFIER_MESSAGE, MAX_LENGTH } from './limits.ts';

export const SOURCES = ['one-stop-shop', 'document-management', 'public-service-portal'] as const;
export const sourceId = z.enum(SOURCES);
export type SourceId = z.infer<typeof sourceId>;

export const ENTITIES = {
  'one-stop-shop': ['dossiers'],
  'document-management': ['documents', 'work-records'],
  'public-service-portal': ['services', 'payments', 'ratings'],
} as const satisfies Record<SourceId, readonly string[]>;
export const entityName = z.enum(['dossiers', 'documents', 'work-records', 'services', 'payments', 'ratings']);
export type EntityName = z.infer<typeof entityName>;

export function sourceOf(entity: EntityName): SourceId {
  for (const s of SOURCES) if ((ENTITIES[s] as readonly string[]).includes(entity)) return s;
  throw new Error(`unknown entity ${entity}`);
}

const isoTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time with an offset' });
const isoDay = z.iso.date({ error: 'expected a YYYY-MM-DD day' });
const time = isoTime.nullable();
const level = z.enum(['TINH', 'HUYEN', 'XA']);
const secrecy = z.enum(['normal', 'secret', 'top_secret', 'absolute_secret']);

// Every string field has a maximum length (schemas/limits.ts); identifiers also have the
// identifier rule there (printable characters only). Plain length and pattern checks: the sink's
// fast predicate (schemas/unchanged.ts) mirrors them.
const tooLong = (max: number) => ({ error: `expected at most ${max} characters` });
/** An identifier, possibly empty (an optional code); `.min(1)` for a required one. */
const ident = (max: number) => z.string().max(max, tooLong(max)).regex(IDENTIFIER, { error: IDENTIFIER_MESSAGE });
const code = () => ident(MAX_LENGTH.code).min(1);
const text = (max: number = MAX_LENGTH.text) => z.string().max(max, tooLong(max));

/** Where a record came from: enough for an operator to open the file or call the API again. */
export const origin = z.object({
  /** A file path, or the URL of the API entity endpoint. */
  uri: text(MAX_LENGTH.uri).min(1),
  /** 1-based line (NDJSON, CSV) or spreadsheet row (XLSX); 1-based index in a JSON array. */
  line: z.number().int().positive().optional(),
  /** API page number and 0-based index within the page. */
  page: z.number().int().nonnegative().optional(),
  index: z.number().int().nonnegative().optional(),
  /** XLSX sheet name. */
  sheet: text(MAX_LENGTH.sheet).optional(),
});
export type Origin = z.infer<typeof origin>;

export function describeOrigin(o: Origin): string {
  const parts = [o.uri];
  if (o.sheet) parts.push(`sheet ${o.sheet}`);
  if (o.line !== undefined) parts.push(`line ${o.line}`);
  if (o.page !== undefined) parts.push(`page ${o.page}`);
  if (o.index !== undefined) parts.push(`index ${o.index}`);
  return parts.join(', ');
}

const envelope = {
  event_id: z.string().regex(/^[0-9a-f]{32}$/),
  record_id: ident(MAX_LENGTH.recordId).min(1),
  unit_code: code(),
  updated_at: isoTime,
  run_id: ident(MAX_LENGTH.runId).min(1),
  origin,
};

/** The most processing steps a dossier may carry (tienTrinhDongBo); a longer history is a reject. */
export const MAX_STEPS = 500;

/** One step of a dossier's processing history: the status it entered and when. */
export const dossierStep = z.object({
  status: z.number().int().min(1).max(10),
  at: isoTime,
});
export type DossierStep = z.infer<typeof dossierStep>;

export const dossierData = z.object({
  procedure_code: code(),
  procedure_name: text().default(''),
  field_code: ident(MAX_LENGTH.code).default(''),
  channel: z.enum(['in_person', 'online', 'postal']),
  /** TrangThaiHoSo 1..10 (SOURCES.md). */
  status: z.number().int().min(1).max(10),
  applicant_type: z.enum(['citizen', 'organisation']).nullable(),
  submitted_at: time,
  received_at: time,
  due_at: time,
  finished_at: time,
  returned_at: time,
  refused_at: time,
  has_digitized_components: z.boolean(),
  vneid_authenticated: z.boolean(),
  paid_online: z.boolean(),
  components_count: z.number().int().nonnegative(),
  /** At least one submitted component marked DuocTaiSuDung. */
  has_reused_component: z.boolean(),
  /** At least one result document with a file path (or the spreadsheet's "Ket qua dien tu" flag). */
  has_electronic_result: z.boolean(),
  /** HMAC-SHA256 of the applicant's id number, or null. */
  applicant_hash: ident(MAX_LENGTH.hash).nullable(),
  /** At least one submitted component with a file (TenTepDinhKem) or DuocSoHoa; the spreadsheet's "So hoa" flag. */
  has_component_file: z.boolean().default(false),
  /** At least one submitted component taken from the national repository (DuocLayTuKhoDMQG). */
  has_national_repo_component: z.boolean().default(false),
  /** At least one fee (DanhSachLePhi) with Gia > 0. */
  has_fee: z.boolean().default(false),
  /**
   * The processing history (tienTrinhDongBo): the status each step entered (TrangThaiHoSo codes) and
   * when, sorted by time. Every other step field (NguoiXuLy, ChucDanh, NoiDungXuLy...) is dropped.
   */
  steps: z.array(dossierStep).max(MAX_STEPS, { error: `expected at most ${MAX_STEPS} processing steps` }).default([]),
});

export const documentData = z.object({
  number: text().default(''),
  register: z.enum(['outgoing', 'incoming']),
  kind: text().default(''),
  issued_at: isoDay,
  received_at: isoDay.nullable(),
  form: z.enum(['electronic', 'paper']),
  signature: z.enum(['none', 'specialised', 'public']),
  secrecy,
  to_state_agencies: z.boolean(),
  via_national_axis: z.boolean(),
});

export const workRecordData = z.object({
  level: level.nullable(),
  opened_at: isoDay,
  closed_at: isoDay.nullable(),
  processed_online: z.boolean(),
  secrecy,
});

/** The longest maximum processing time a catalogue row may state (ten years of days). */
export const MAX_SERVICE_DAYS = 3650;

export const serviceData = z.object({
  procedure_code: code(),
  procedure_name: text().default(''),
  level: level.nullable(),
  online_level: z.enum(['full', 'partial', 'none']),
  has_fee: z.boolean(),
  redesigned: z.boolean(),
  valid_from: isoDay,
  /** Last valid day, inclusive; null while open. */
  valid_to: isoDay.nullable(),
  /** CoKetQuaGiay: the result is a paper document that can also be issued electronically; null when not exported. */
  has_paper_result: z.boolean().nullable().default(null),
  /** ThoiHanGiaiQuyet: the maximum processing time in working days (Monday to Friday); null when not exported. */
  max_days: z.number().int().min(0).max(MAX_SERVICE_DAYS).nullable().default(null),
});

export const paymentData = z.object({
  dossier_code: ident(MAX_LENGTH.code).nullable(),
  procedure_code: ident(MAX_LENGTH.code).nullable(),
  amount: z.number().int().nonnegative(),
  method: z.enum(['online', 'in_person']),
  status: z.enum(['success', 'failed', 'pending']),
  paid_at: isoTime,
});

export const ratingData = z.object({
  dossier_code: ident(MAX_LENGTH.code).nullable(),
  rated_at: isoTime,
  level: z.enum(['very_satisfied', 'satisfied', 'unsatisfied']),
});

export const canonicalEvent = z.discriminatedUnion('entity', [
  z.object({ ...envelope, source: z.literal('one-stop-shop'), entity: z.literal('dossiers'), data: dossierData }),
  z.object({ ...envelope, source: z.literal('document-management'), entity: z.literal('documents'), data: documentData }),
  z.object({ ...envelope, source: z.literal('document-management'), entity: z.literal('work-records'), data: workRecordData }),
  z.object({ ...envelope, source: z.literal('public-service-portal'), entity: z.literal('services'), data: serviceData }),
  z.object({ ...envelope, source: z.literal('public-service-portal'), entity: z.literal('payments'), data: paymentData }),
  z.object({ ...envelope, source: z.literal('public-service-portal'), entity: z.literal('ratings'), data: ratingData }),
]);
export type CanonicalEvent = z.infer<typeof canonicalEvent>;
export type EventOf<E extends EntityName> = Extract<CanonicalEvent, { entity: E }>;

/**
 * The deterministic event id: the same record at the same update time is the same event, whichever
 * export, page or replay carried it. 32 hex characters of SHA-256.
 */
export function eventId(source: SourceId, entity: EntityName, recordId: string, updatedAt: string): string {
  const instant = new Date(updatedAt).toISOString();
  return createHash('sha256').update(`${source}\u0000${entity}\u0000${recordId}\u0000${instant}`).digest('hex').slice(0, 32);
}

/** A record that did not fit, with the original text and where it was (chiso.rejects.v1). */
export const rejectMessage = z.object({
  run_id: text(MAX_LENGTH.runId).min(1),
  source: sourceId,
  entity: text(MAX_LENGTH.name),
  origin,
  /** The field at fault (the source's own name, e.g. NgayTiepNhan), or '' for the whole record. */
  field: text(MAX_LENGTH.name),
  reason: text(MAX_LENGTH.reason).min(1),
  /** The original text of the record (a line, a CSV row, a JSON object); base64 when not valid UTF-8. */
  original: text(MAX_LENGTH.original),
  original_encoding: z.enum(['utf8', 'base64']).default('utf8'),
  rejected_at: isoTime,
  /** Set by the sink for a message it could not parse: where the poison message sat. */
  topic: text(MAX_LENGTH.topic).optional(),
  partition: z.number().int().nonnegative().max(2 ** 31 - 1).optional(),
  /** A decimal Kafka offset (the rejects table keeps it as an Int64). */
  offset: z.string().regex(/^[0-9]{1,19}$/, { error: 'expected a Kafka offset (decimal digits)' }).optional(),
});
export type RejectMessage = z.infer<typeof rejectMessage>;

/** One row of the ingestion ledger (chiso.runs.v1 -> ingest_runs): the latest updated_at wins. */
export const runMessage = z.object({
  run_id: text(MAX_LENGTH.runId).min(1),
  source: sourceId,
  entity: text(MAX_LENGTH.name),
  /** A file path, or URL + window. */
  origin: text(MAX_LENGTH.uri),
  started_at: isoTime,
  finished_at: isoTime.nullable(),
  status: z.enum(['running', 'succeeded', 'failed']),
  read: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  error: text(MAX_LENGTH.reason).default(''),
  replay_of: text(MAX_LENGTH.runId).default(''),
  updated_at: isoTime,
  /** The highest offset produced per topic-partition ("topic:partition" -> offset), for `ingest --wait`. */
  produced_offsets: z.record(text(MAX_LENGTH.topicPartition), text(MAX_LENGTH.offset)).default({}),
});
export type RunMessage = z.infer<typeof runMessage>;
