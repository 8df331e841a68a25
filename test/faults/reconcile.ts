// The reconciliation every fault case ends with: the latest state of the dossiers, and every
// indicator value (as comparable lines) to set beside a clean run's.
import { select, type Store } from '../../infra/clickhouse/store.ts';
import type { CanonicalEvent } from '../../schemas/events.ts';

/** "record_id:status" of every dossier in its latest state, sorted. */
export async function latestStatuses(store: Store): Promise<string[]> {
  const rows = await select<{ record_id: string; status: number }>(store, `SELECT record_id, status FROM ${store.db}.dossiers FINAL`);
  return rows.map((r) => `${r.record_id}:${r.status}`).sort();
}

/** What latestStatuses must find once `events` are written: each dossier with the status of its last version. */
export function expectedStatuses(events: readonly CanonicalEvent[]): string[] {
  const want = new Map<string, number>();
  for (const e of events) if (e.entity === 'dossiers') want.set(e.record_id, e.data.status);
  return [...want].map(([id, st]) => `${id}:${st}`).sort();
}

/** Every indicator value of the database as "indicator unit period start = value (num/den)", sorted. */
export async function indicatorLines(store: Store): Promise<string[]> {
  const rows = await select<{ k: string }>(
    store,
    `SELECT concat(indicator, ' ', unit_code, ' ', toString(period), ' ', toString(period_start), ' = ', ifNull(toString(round(value, 6)), 'null'), ' (', toString(numerator), '/', toString(denominator), ')') AS k
     FROM ${store.db}.v_indicator_values ORDER BY k`,
  );
  return rows.map((r) => r.k);
}

/** The same chDB session seen through another database (a clean run beside the faulted one). */
export function otherDatabase(store: Store, db: string): Store {
  return { ...store, db, close: async () => undefined };
}
