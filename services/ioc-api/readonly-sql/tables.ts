// The tables and views `chiso query` may read, all in chiso's database (named `<db>.<table>` in the
// query). What an operator needs to explain an indicator value: the IOC contract (values, scorecard,
// catalogues, plans' targets, the ingestion ledger), the latest-state tables the indicators are
// computed from (personal data there is already an HMAC), the event keys without their payload, and
// this endpoint's own audit log.
//
// Left out on purpose: raw_events (every source record's full original text), rejects (the original
// text of bad records, which may carry personal data; `chiso rejects` shows them to operators with the
// run), reports (stored files), touched_days, compute_watermarks, schema_migrations and the
// materialized view (the pipeline's own bookkeeping).
export const ALLOWED_TABLES: readonly string[] = [
  // The IOC contract (shared/design/IOC.md).
  'v_indicator_values',
  'v_scorecard',
  'indicator_values',
  'indicator_year_values',
  'units',
  'unit_ancestors',
  'indicators',
  'targets',
  'ingest_runs',
  // The latest state of each source record, which the indicators count.
  'dossiers',
  'documents',
  'work_records',
  'services',
  'payments',
  'ratings',
  // raw_events without its payload (migration 0015).
  'v_raw_event_keys',
  // Who asked what of this endpoint (migration 0015).
  'query_audit',
];

const allowed = new Set(ALLOWED_TABLES);

export type TableVerdict = { ok: true } | { ok: false; reason: string };

/**
 * A table named in a query: `db.table` must be one of ALLOWED_TABLES in the store's database; a bare
 * name must be one of the query's own WITH names (anything else would resolve in another database).
 */
export function tableVerdict(name: string, db: string, cteNames: ReadonlySet<string>): TableVerdict {
  // What a SELECT without FROM reads (the AST names it): one row, one column `dummy`.
  if (name === 'system.one') return { ok: true };
  const parts = name.split('.');
  if (parts.length === 1) {
    if (cteNames.has(name)) return { ok: true };
    return { ok: false, reason: `table ${name}: name chiso's tables with their database, e.g. ${db}.v_indicator_values` };
  }
  const [database, table] = parts;
  if (parts.length === 2 && database === db && table !== undefined && allowed.has(table)) return { ok: true };
  return { ok: false, reason: `table ${name} is not readable here: allowed are ${ALLOWED_TABLES.map((t) => `${db}.${t}`).join(', ')}` };
}
