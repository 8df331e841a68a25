// The days a record counts on, and what a new version of a record touches: THE rule of late data and
// corrections, in one place beside the indicator catalogue. The sink (services/sink: rows.ts reads
// each event's version with dayVersion, write.ts collects eachTouched into touched_days, previous.ts
// reads the stored versions with dayFieldsSql), the replay and `chiso runs show` (indicators/
// run-days.ts, payloadDayTextsSql) and the nightly run (workflows/activities/indicators.ts,
// linkedDaysSql) all read it; migration 0050's data-quality view holds firstPayloadDayTextSql's text,
// checked by test/unit/counted-days.test.ts.
//
// A new version of a record touches every (unit, day) its previous stored version counted on AND
// every one it counts on itself: a dossier whose received date moves from 3 to 5 March changes both
// days; one moved from ward A to ward B changes A's and B's. Counting more days than changed is
// harmless (they are recomputed to the same value); counting fewer leaves a stale value.
import type { CanonicalEvent, EntityName } from '../schemas/events.ts';
import { daysBetween, hcmDay } from './periods.ts';

/** How a day field is stored in its latest-state table: a time (DateTime64) or a calendar day (Date). */
export type DayFieldKind = 'time' | 'day';

export interface DayField {
  /** The field's name, the same in the canonical event's data and in the latest-state table. */
  name: string;
  kind: DayFieldKind;
}

/**
 * Per entity, every field holding a day some indicator counts a record on (INDICATORS.md):
 * dossiers on their received day (received dossiers) and finished day (resolved dossiers: on time,
 * electronic result); documents on their issued day; work records on their opened day; payments on
 * their paid day; ratings on their rated day. A catalogue entry counts on every day of its validity
 * (services: see countedDays).
 */
export const DAY_FIELDS: Record<EntityName, readonly DayField[]> = {
  dossiers: [
    { name: 'received_at', kind: 'time' },
    { name: 'finished_at', kind: 'time' },
  ],
  documents: [{ name: 'issued_at', kind: 'day' }],
  'work-records': [{ name: 'opened_at', kind: 'day' }],
  services: [
    { name: 'valid_from', kind: 'day' },
    { name: 'valid_to', kind: 'day' },
  ],
  payments: [{ name: 'paid_at', kind: 'time' }],
  ratings: [{ name: 'rated_at', kind: 'time' }],
};

/** One version of a record as the rule reads it: its unit and its DAY_FIELDS as calendar days (null when empty). */
export interface DayVersion {
  unit_code: string;
  days: readonly (string | null)[];
}

/** An event's version as the rule reads it: its unit and its DAY_FIELDS as calendar days (Asia/Ho_Chi_Minh). */
export function dayVersion(e: CanonicalEvent): DayVersion {
  const data = e.data as Record<string, unknown>;
  return {
    unit_code: e.unit_code,
    days: DAY_FIELDS[e.entity].map((f) => {
      const v = data[f.name];
      if (typeof v !== 'string') return null;
      return f.kind === 'time' ? hcmDay(v) : v;
    }),
  };
}

/**
 * The days a version counts on. A catalogue entry (services) counts on every day from valid_from to
 * valid_to (inclusive; while open, to `today`): the online level of every dossier received then, and
 * the stock of online services on each of those days, read it. Days after `today` are not touched:
 * the nightly run computes each day once it has passed.
 */
export function countedDays(entity: EntityName, v: DayVersion, today: string): string[] {
  if (entity !== 'services') return v.days.filter((d): d is string => d !== null);
  const [from, to] = v.days;
  if (from === null || from === undefined) return [];
  return daysBetween(from, to === null || to === undefined || to > today ? today : to);
}

/**
 * Calls `touch` for every (unit, day) a new version touches: those its previous stored version (if
 * any) counted on, under the previous unit, and its own. A pair may come more than once (the
 * sink's batches collect them into sets, touchedBy into a list).
 */
export function eachTouched(entity: EntityName, previous: DayVersion | undefined, next: DayVersion, today: string, touch: (unit_code: string, day: string) => void): void {
  if (previous !== undefined) for (const day of countedDays(entity, previous, today)) touch(previous.unit_code, day);
  for (const day of countedDays(entity, next, today)) touch(next.unit_code, day);
}

/** The distinct (unit, day) pairs a new version touches (eachTouched). */
export function touchedBy(entity: EntityName, previous: DayVersion | undefined, next: DayVersion, today: string): { unit_code: string; day: string }[] {
  const out = new Map<string, { unit_code: string; day: string }>();
  eachTouched(entity, previous, next, today, (unit_code, day) => out.set(`${unit_code}|${day}`, { unit_code, day }));
  return [...out.values()];
}

/**
 * A SELECT expression giving the DAY_FIELDS of an entity's latest-state table as an
 * Array(Nullable(String)) of calendar days (YYYY-MM-DD, Asia/Ho_Chi_Minh), in DAY_FIELDS order.
 */
export function dayFieldsSql(entity: EntityName): string {
  const exprs = DAY_FIELDS[entity].map((f) => (f.kind === 'time' ? `toString(toDate(${f.name}, 'Asia/Ho_Chi_Minh'))` : `toString(${f.name})`));
  return `[${exprs.join(', ')}]`;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * A SELECT expression over raw_events (columns entity, payload) giving the texts of the event's
 * DAY_FIELDS as an Array(String), in DAY_FIELDS order ('' for a field the payload lacks): the
 * days the event counts on, before parsing (indicators/run-days.ts).
 */
export function payloadDayTextsSql(): string {
  const branches = Object.entries(DAY_FIELDS).flatMap(([entity, fields]) => [
    `entity = ${quote(entity)}`,
    `[${fields.map((f) => `JSONExtractString(payload, ${quote(f.name)})`).join(', ')}]`,
  ]);
  return `multiIf(${branches.join(', ')}, CAST([], 'Array(String)'))`;
}

/**
 * A SELECT expression over raw_events giving the text of the first of the event's DAY_FIELDS ('' when
 * absent), for the events of `entities`: the first day a record counts on. Migration 0050's
 * v_data_quality holds it for its `late` metric (checked by test/unit/counted-days.test.ts).
 */
export function firstPayloadDayTextSql(entities: readonly EntityName[]): string {
  const branches = entities.flatMap((entity) => {
    const first = DAY_FIELDS[entity][0];
    return first === undefined ? [] : [`entity = ${quote(entity)}, JSONExtractString(payload, ${quote(first.name)})`];
  });
  return `multiIf(${branches.join(', ')}, '')`;
}

/**
 * Days the rule adds across entities, for the nightly run: a payment or a rating counts for the unit
 * of its dossier (and a payment for its dossier's procedure when it names none), so a dossier's new
 * version (new, moved to another unit, another procedure) touches the paid and rated days of its
 * payments and ratings. Parameter {since:String}: the dossiers whose versions the sink wrote after it.
 * One scan of raw_events' dossiers and of the payments' and ratings' dossier codes, once per run.
 */
export function linkedDaysSql(db: string): string {
  return `SELECT DISTINCT toString(day) AS day FROM (
      SELECT toDate(paid_at, 'Asia/Ho_Chi_Minh') AS day, dossier_code FROM ${db}.payments FINAL WHERE dossier_code IS NOT NULL
      UNION ALL
      SELECT toDate(rated_at, 'Asia/Ho_Chi_Minh') AS day, dossier_code FROM ${db}.ratings FINAL WHERE dossier_code IS NOT NULL
    )
    WHERE dossier_code IN (
      SELECT record_id FROM ${db}.raw_events
      WHERE entity = 'dossiers' AND ingested_at > toDateTime64({since:String}, 3, 'Asia/Ho_Chi_Minh') - INTERVAL 1 HOUR
    )`;
}
