// Row mapping: a validated canonical event, reject or run message becomes the rows of the ClickHouse
// tables the sink writes (raw_events, one latest-state table per entity, touched_days, rejects,
// ingest_runs). Pure functions, no I/O.
import type { CanonicalEvent, EntityName, RejectMessage, RunMessage } from '../../schemas/events.ts';
import { describeOrigin } from '../../schemas/events.ts';
import { countedDays, dayVersion, type DayVersion } from '../../indicators/counted-days.ts';
import { hcmToday } from '../../indicators/periods.ts';
import type { Line, LineBuffer } from './lines.ts';

/** Where a message sat on Kafka. */
export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
}

export type Row = Record<string, unknown>;

/** The latest-state table each entity is kept in. */
export const LATEST_TABLE: Record<EntityName, string> = {
  dossiers: 'dossiers',
  documents: 'documents',
  'work-records': 'work_records',
  services: 'services',
  payments: 'payments',
  ratings: 'ratings',
};

const HCM_OFFSET_MS = 7 * 3600_000; // Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving.
const T = 0x54;
const DOT = 0x2e;

/**
 * An ISO time with an offset as 'YYYY-MM-DD HH:MM:SS.mmm' in Asia/Ho_Chi_Minh: the form a
 * DateTime64(3, 'Asia/Ho_Chi_Minh') column reads without guessing (cheaper than best_effort parsing).
 * The times come validated (schemas/events.ts: ISO 8601 with seconds and an offset).
 */
export function chTime(iso: string): string {
  // Fast path for what connectors emit, 'YYYY-MM-DDTHH:MM:SS[.fff]+07:00': the local time is already
  // in the string (slices cost two thirds of a regular expression's match, on the sink's hot path).
  const n = iso.length;
  if (n >= 25 && iso.charCodeAt(10) === T && iso.endsWith('+07:00')) {
    if (n === 25) return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.000`;
    if (iso.charCodeAt(19) === DOT) return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${`${iso.slice(20, n - 6)}000`.slice(0, 3)}`;
  }
  const ms = Date.parse(iso);
  return new Date(ms + HCM_OFFSET_MS).toISOString().slice(0, 23).replace('T', ' ');
}

export function chTimeOrNull(iso: string | null): string | null {
  return iso === null ? null : chTime(iso);
}

/** The columns of a raw_events line, in the order of rawLine's values. */
export const RAW_COLUMNS = ['event_id', 'source', 'entity', 'record_id', 'unit_code', 'updated_at', 'run_id', 'origin', 'payload', 'topic', 'partition', 'offset'] as const;

/**
 * The raw_events line of an event (JSONCompactEachRow). The payload goes in as the JSON object it is:
 * with input_format_json_read_objects_as_strings, ClickHouse stores its text in the String column
 * as written, which spares escaping it into a string here and unescaping it there.
 */
export function rawLine(e: CanonicalEvent, pos: KafkaPosition): string {
  return JSON.stringify([e.event_id, e.source, e.entity, e.record_id, e.unit_code, chTime(e.updated_at), e.run_id, describeOrigin(e.origin), e.data, pos.topic, pos.partition, pos.offset]);
}

function withEnvelope(e: CanonicalEvent, row: Row): Row {
  row.record_id = e.record_id;
  row.unit_code = e.unit_code;
  row.updated_at = chTime(e.updated_at);
  row.event_id = e.event_id;
  row.run_id = e.run_id;
  return row;
}

/**
 * An event as a flush needs it, its rows already serialised (JSONCompactEachRow lines, as bytes off
 * the heap: lines.ts): built when the message is decoded, so that the flush, on the critical path,
 * only joins bytes.
 */
export interface PreparedEvent {
  event_id: string;
  source: string;
  entity: EntityName;
  /** The record, within its entity: one latest row per (latestTable, recordId). */
  recordId: string;
  updatedMs: number;
  /** The raw_events line, columns RAW_COLUMNS. */
  raw: Line;
  latestTable: string;
  /** The columns of the latest line, in order. */
  latestColumns: readonly string[];
  latest: Line;
  /**
   * The event's version as the counted-days rule reads it (indicators/counted-days.ts): the
   * touched_days keys come from it at the flush. Unit and days are kept as fields, never joined
   * into one string: no character of a code can be taken for a separator.
   */
  version: DayVersion;
}

/**
 * One string per unit code and day while in use: queued events share them instead of holding the
 * copies each JSON.parse made (the map only hands back a string already made, it builds none).
 */
const shared = new Map<string, string>();
function intern(s: string): string {
  const known = shared.get(s);
  if (known !== undefined) return known;
  if (shared.size >= 100_000) shared.clear();
  shared.set(s, s);
  return s;
}

function internVersion(v: DayVersion): DayVersion {
  return { unit_code: intern(v.unit_code), days: v.days.map((d) => (d === null ? null : intern(d))) };
}

const latestColumns = new Map<EntityName, readonly string[]>();

/** The event's rows serialised into `lines`, the slabs of the sink that decoded it. */
export function prepareEvent(e: CanonicalEvent, pos: KafkaPosition, lines: LineBuffer): PreparedEvent {
  const latest = latestRow(e);
  let columns = latestColumns.get(e.entity);
  if (columns === undefined) {
    columns = Object.keys(latest);
    latestColumns.set(e.entity, columns);
  }
  return {
    event_id: e.event_id,
    source: e.source,
    entity: e.entity,
    recordId: e.record_id,
    updatedMs: Date.parse(e.updated_at),
    raw: lines.line(rawLine(e, pos), 'raw_events'),
    latestTable: LATEST_TABLE[e.entity],
    latestColumns: columns,
    latest: lines.line(JSON.stringify(Object.values(latest)), LATEST_TABLE[e.entity]),
    version: internVersion(dayVersion(e)),
  };
}

/** The latest-state row of an event, for the table LATEST_TABLE[e.entity]. */
export function latestRow(e: CanonicalEvent): Row {
  switch (e.entity) {
    case 'dossiers': {
      const d = e.data;
      return withEnvelope(e, {
        procedure_code: d.procedure_code,
        procedure_name: d.procedure_name,
        field_code: d.field_code,
        channel: d.channel,
        status: d.status,
        applicant_type: d.applicant_type,
        submitted_at: chTimeOrNull(d.submitted_at),
        received_at: chTimeOrNull(d.received_at),
        due_at: chTimeOrNull(d.due_at),
        finished_at: chTimeOrNull(d.finished_at),
        returned_at: chTimeOrNull(d.returned_at),
        refused_at: chTimeOrNull(d.refused_at),
        has_digitized_components: d.has_digitized_components,
        vneid_authenticated: d.vneid_authenticated,
        paid_online: d.paid_online,
        components_count: Math.min(d.components_count, 65535),
        has_reused_component: d.has_reused_component,
        has_electronic_result: d.has_electronic_result,
        applicant_hash: d.applicant_hash,
        has_component_file: d.has_component_file,
        has_national_repo_component: d.has_national_repo_component,
        has_fee: d.has_fee,
        step_statuses: d.steps.map((s) => s.status),
        step_times: d.steps.map((s) => chTime(s.at)),
      });
    }
    case 'documents': {
      const d = e.data;
      return withEnvelope(e, {
        number: d.number,
        register: d.register,
        kind: d.kind,
        issued_at: d.issued_at,
        received_at: d.received_at,
        form: d.form,
        signature: d.signature,
        secrecy: d.secrecy,
        to_state_agencies: d.to_state_agencies,
        via_national_axis: d.via_national_axis,
      });
    }
    case 'work-records': {
      const d = e.data;
      return withEnvelope(e, { level: d.level, opened_at: d.opened_at, closed_at: d.closed_at, processed_online: d.processed_online, secrecy: d.secrecy });
    }
    case 'services': {
      const d = e.data;
      return withEnvelope(e, {
        procedure_code: d.procedure_code,
        procedure_name: d.procedure_name,
        level: d.level,
        online_level: d.online_level,
        has_fee: d.has_fee,
        redesigned: d.redesigned,
        valid_from: d.valid_from,
        valid_to: d.valid_to,
        has_paper_result: d.has_paper_result,
        max_days: d.max_days,
      });
    }
    case 'payments': {
      const d = e.data;
      return withEnvelope(e, { dossier_code: d.dossier_code, procedure_code: d.procedure_code, amount: d.amount, method: d.method, status: d.status, paid_at: chTime(d.paid_at) });
    }
    case 'ratings': {
      const d = e.data;
      return withEnvelope(e, { dossier_code: d.dossier_code, rated_at: chTime(d.rated_at), level: d.level });
    }
  }
}

/** The days an event counts on (indicators/counted-days.ts), as Asia/Ho_Chi_Minh calendar days. */
export function touchedDays(e: CanonicalEvent, today = hcmToday()): string[] {
  return countedDays(e.entity, dayVersion(e), today);
}

export function rejectRow(r: RejectMessage, pos: KafkaPosition): Row {
  return {
    run_id: r.run_id,
    source: r.source,
    entity: r.entity,
    location: describeOrigin(r.origin),
    field: r.field,
    reason: r.reason,
    original: r.original,
    // A connector's reject keeps where it sat in the source; the Kafka position is the sink's own.
    topic: r.topic ?? pos.topic,
    partition: r.partition ?? pos.partition,
    offset: r.offset ?? pos.offset,
    rejected_at: chTime(r.rejected_at),
  };
}

export function runRow(r: RunMessage): Row {
  return {
    run_id: r.run_id,
    source: r.source,
    entity: r.entity,
    origin: r.origin,
    started_at: chTime(r.started_at),
    finished_at: chTimeOrNull(r.finished_at),
    status: r.status,
    read: r.read,
    accepted: r.accepted,
    rejected: r.rejected,
    error: r.error,
    replay_of: r.replay_of,
    updated_at: chTime(r.updated_at),
  };
}
