// POST /internal/query: the read-only SQL endpoint behind `chiso query` (in embedded mode only the
// chiso process may open chDB). Operator tokens only; runs with readonly=1 and bounded results.
import type { DataFormat } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireUnscoped } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { parseParams, sendBad } from '../params.ts';
import { checkReadOnlySql } from '../readonly-sql.ts';

export const QUERY_FORMATS = ['PrettyCompactMonoBlock', 'JSONEachRow', 'JSON', 'CSVWithNames', 'TabSeparatedWithNames', 'Markdown'] as const;

const schema = z.strictObject({
  sql: z.string().min(1, 'required').max(100_000, 'expected at most 100000 characters'),
  format: z.enum(QUERY_FORMATS, { error: `expected one of ${QUERY_FORMATS.join(', ')}` }).default('PrettyCompactMonoBlock'),
});

export function queryRoutes(api: FastifyInstance, deps: RouteDeps): void {
  api.post('/internal/query', async (req, reply) => {
    const p = parseParams(schema, req.body);
    if (!p.ok) return sendBad(reply, p.bad);
    if (!requireUnscoped(req, reply)) return reply;
    const check = checkReadOnlySql(p.data.sql);
    if (!check.ok) return sendBad(reply, { error: 'bad_request', field: 'sql', reason: check.reason });
    try {
      const rs = await deps.store.client.query({
        // Query-level SETTINGS, not clickhouse_settings: chDB's adapter turns those into session-wide
        // SETs, which would leave the whole store read-only. The wrapper keeps one statement.
        query: `SELECT * FROM (\n${check.sql}\n) SETTINGS readonly = 1, max_execution_time = 60, max_result_rows = 100000, result_overflow_mode = 'break'`,
        // The client's DataFormat list lacks the Pretty/Markdown formats the server knows.
        format: p.data.format as DataFormat,
      });
      const text = await rs.text();
      return reply.type(p.data.format.startsWith('JSON') ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8').send(text);
    } catch (e) {
      // A query ClickHouse refuses (syntax, unknown table, readonly) is the caller's to fix: 400 with its words.
      const message = e instanceof Error ? e.message : String(e);
      return sendBad(reply, { error: 'bad_request', field: 'sql', reason: message.slice(0, 2000) });
    }
  });
}
