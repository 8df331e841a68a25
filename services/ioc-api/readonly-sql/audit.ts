// The SQL endpoint's audit log: one row a query, answered or not, in <db>.query_audit (migration
// 0015) and one line of the `sql-audit` logger. The SQL itself is never stored, only its SHA-256
// (the same text gives the same hash, so an operator can tell what was run by hashing a candidate).
import { createHash } from 'node:crypto';
import type { Store } from '../../../infra/clickhouse/store.ts';
import type { Logger } from '../../../lib/logger.ts';

export type Outcome = 'answered' | 'refused' | 'failed' | 'busy';

export interface AuditEntry {
  client: string;
  sql: string;
  outcome: Outcome;
  reason: string;
  durationMs: number;
  rows: number | null;
  resultBytes: number;
}

export const sqlHash = (sql: string): string => createHash('sha256').update(sql, 'utf8').digest('hex');

export async function writeAudit(store: Store, log: Logger, e: AuditEntry): Promise<void> {
  const row = {
    client: e.client,
    sql_sha256: sqlHash(e.sql),
    sql_bytes: Buffer.byteLength(e.sql),
    outcome: e.outcome,
    // ClickHouse's messages quote the query ("In scope SELECT ..."): the log keeps the reason, not the text.
    reason: e.reason.replace(/\s*In scope [\s\S]*$/, '').slice(0, 2000),
    duration_ms: Math.max(0, Math.round(e.durationMs)),
    rows: e.rows,
    result_bytes: e.resultBytes,
  };
  log.info({ client: row.client, sql_sha256: row.sql_sha256, outcome: row.outcome, ms: row.duration_ms, rows: row.rows, bytes: row.result_bytes, ...(row.reason ? { reason: row.reason } : {}) }, 'sql query');
  try {
    // `at` is the table's DEFAULT now64(3).
    await store.client.insert({ table: `${store.db}.query_audit`, values: [row], format: 'JSONEachRow' });
  } catch (err) {
    log.error({ err, sql_sha256: row.sql_sha256 }, 'could not write the SQL audit row');
  }
}
