// The previous stored version of the records a flush writes, as the counted-days rule reads it
// (unit and day fields): a new version touches the days its previous version counted on as well as
// its own (indicators/counted-days.ts). One query per flush, for all its records, read
// from the latest-state tables by their primary key (record_id); only records already stored
// return a row. Must run BEFORE the flush writes the latest-state tables. The rows of this flush's
// FRESH events (not in raw_events yet: written by a try of this flush that crashed before raw_events)
// are ignored; the rows of events it holds again (exact duplicates, already written by an earlier
// flush) are previous versions like any other: a duplicate of version 1 in the flush that brings
// version 2 must not hide the days version 1 counted on.
import { select, type Store } from '../../infra/clickhouse/store.ts';
import type { EntityName } from '../../schemas/events.ts';
import { dayFieldsSql, type DayVersion } from '../../indicators/counted-days.ts';
import { InfraError, errorMessage } from '../../lib/errors.ts';
import { LATEST_TABLE, type PreparedEvent } from './rows.ts';

export interface StoredRow {
  entity: EntityName;
  record_id: string;
  event_id: string;
  updated_at: string;
  unit_code: string;
  days: (string | null)[];
}

/** The key of a record in previousVersions' answer: the entity (a fixed name without '|') and the record id. */
export function previousKey(entity: EntityName, recordId: string): string {
  return `${entity}|${recordId}`;
}

/** Every stored version of the records of these events (read before the flush writes them). */
export async function storedVersions(store: Store, events: readonly PreparedEvent[]): Promise<readonly StoredRow[]> {
  if (events.length === 0) return [];
  const ids = new Map<EntityName, Set<string>>();
  for (const e of events) {
    let set = ids.get(e.entity);
    if (set === undefined) ids.set(e.entity, (set = new Set()));
    set.add(e.recordId);
  }
  const params: Record<string, unknown> = {};
  const branches = [...ids].map(([entity, set], i) => {
    params[`ids${i}`] = [...set];
    // Table names and expressions come from constants (LATEST_TABLE, DAY_FIELDS), never from data.
    return `SELECT '${entity}' AS entity, record_id, event_id, toString(updated_at) AS updated_at, toString(unit_code) AS unit_code, ${dayFieldsSql(entity)} AS days
      FROM ${store.db}.${LATEST_TABLE[entity]} WHERE record_id IN {ids${i}:Array(String)}`;
  });
  try {
    return await select<StoredRow>(store, branches.join('\nUNION ALL\n'), params);
  } catch (e) {
    throw new InfraError(`ClickHouse read of the previous versions failed: ${errorMessage(e)}`, 'SINK_WRITE_FAILED', { table: 'latest' }, { cause: e, retriable: true });
  }
}

/** Per previousKey, the newest stored version not written by the flush's fresh events (those not in raw_events before it). */
export function previousVersions(rows: readonly StoredRow[], fresh: readonly PreparedEvent[]): Map<string, DayVersion> {
  const out = new Map<string, DayVersion>();
  const own = new Set(fresh.map((e) => e.event_id));
  const newest = new Map<string, StoredRow>();
  for (const r of rows) {
    if (own.has(r.event_id)) continue;
    const key = previousKey(r.entity, r.record_id);
    const prev = newest.get(key);
    if (prev === undefined || r.updated_at > prev.updated_at) newest.set(key, r);
  }
  for (const [key, r] of newest) out.set(key, { unit_code: r.unit_code, days: r.days });
  return out;
}
