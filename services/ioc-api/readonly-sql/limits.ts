// The limits every query of the SQL endpoint runs under, as the statement's own SETTINGS (with chDB,
// client settings would stay on the whole session: infra/clickhouse/chdb-guard.ts).
export interface QueryLimits {
  /** Seconds, at most 30 (CHISO_QUERY_TIMEOUT_SECONDS). */
  maxExecutionTime: number;
  maxResultRows: number;
  maxResultBytes: number;
  maxMemoryUsage: number;
  /** Bytes of the formatted answer the endpoint sends at most (checked as it is read). */
  maxAnswerBytes: number;
  /** Queries of one token in flight at once; one more is answered 429. */
  perToken: number;
}

export const DEFAULT_LIMITS: Omit<QueryLimits, 'maxExecutionTime'> = {
  maxResultRows: 100_000,
  maxResultBytes: 32 * 1024 * 1024,
  maxMemoryUsage: 1_000_000_000,
  maxAnswerBytes: 64 * 1024 * 1024,
  perToken: 2,
};

/**
 * The SETTINGS clause. readonly = 1 with chDB; a server's query user is read-only by its profile
 * (infra/clickhouse/server/users.d/chiso-readers.xml), which may not let a query name `readonly` at all.
 */
export function settingsClause(l: QueryLimits, mode: 'chdb' | 'server'): string {
  return [
    ...(mode === 'chdb' ? ['readonly = 1'] : []),
    `max_execution_time = ${Math.min(30, Math.max(1, Math.floor(l.maxExecutionTime)))}`,
    `max_result_rows = ${Math.floor(l.maxResultRows)}`,
    `max_result_bytes = ${Math.floor(l.maxResultBytes)}`,
    `max_memory_usage = ${Math.floor(l.maxMemoryUsage)}`,
    "result_overflow_mode = 'throw'",
    "timeout_overflow_mode = 'throw'",
  ].join(', ');
}
