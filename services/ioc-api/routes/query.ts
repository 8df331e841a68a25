// POST /internal/query: the read-only SQL endpoint behind `chiso query` (in embedded mode only the
// chiso process may open chDB). Operator tokens only. The query is read by ClickHouse's own parser
// and must be one SELECT over chiso's readable tables with allowed functions (readonly-sql/); it runs
// under limits, at most two at once per token, and every query is audited (readonly-sql/audit.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { select } from '../../../infra/clickhouse/store.ts';
import { requireUnscoped } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { parseParams, sendBad } from '../params.ts';
import { type Outcome, writeAudit } from '../readonly-sql/audit.ts';
import { queryClient } from '../readonly-sql/client.ts';
import { FunctionCatalog, FUNCTIONS_SQL, type FunctionRow } from '../readonly-sql/functions.ts';
import { InFlight } from '../readonly-sql/in-flight.ts';
import { DEFAULT_LIMITS, type QueryLimits } from '../readonly-sql/limits.ts';
import { clickhouseReason, readQuery } from '../readonly-sql/parse.ts';
import { runQuery } from '../readonly-sql/run.ts';

export const QUERY_FORMATS = ['PrettyCompactMonoBlock', 'JSONEachRow', 'JSON', 'CSVWithNames', 'TabSeparatedWithNames', 'Markdown'] as const;

const schema = z.strictObject({
  sql: z.string().min(1, 'required').max(100_000, 'expected at most 100000 characters'),
  format: z.enum(QUERY_FORMATS, { error: `expected one of ${QUERY_FORMATS.join(', ')}` }).default('PrettyCompactMonoBlock'),
});

export function queryRoutes(api: FastifyInstance, deps: RouteDeps): void {
  const limits: QueryLimits = { ...DEFAULT_LIMITS, maxExecutionTime: deps.cfg.queryTimeoutSeconds };
  const inFlight = new InFlight(limits.perToken);
  const runner = queryClient(deps.cfg.clickhouse, deps.store);
  if (runner.ok) api.addHook('onClose', async () => runner.close());
  const auditLog = deps.log.child({ component: 'sql-audit' });
  let catalog: Promise<FunctionCatalog> | undefined;
  const functions = () => {
    catalog ??= select<FunctionRow>(deps.store, FUNCTIONS_SQL).then((rows) => new FunctionCatalog(rows));
    catalog.catch(() => {
      catalog = undefined;
    });
    return catalog;
  };

  api.post('/internal/query', async (req, reply) => {
    const p = parseParams(schema, req.body);
    if (!p.ok) return sendBad(reply, p.bad);
    if (!requireUnscoped(req, reply)) return reply;
    const client = req.caller?.client ?? 'anonymous';
    const sql = p.data.sql;
    const started = performance.now();
    const audit = (outcome: Outcome, reason: string, rows: number | null = null, resultBytes = 0) =>
      writeAudit(deps.store, auditLog, { client, sql, outcome, reason, durationMs: performance.now() - started, rows, resultBytes });

    if (!runner.ok) {
      await audit('failed', runner.reason);
      return reply.code(503).send({ error: 'unavailable', field: 'sql', reason: runner.reason });
    }
    if (!inFlight.enter(client)) {
      const reason = `this token already has ${limits.perToken} queries running: wait for one to finish`;
      await audit('busy', reason);
      return reply.code(429).header('retry-after', '1').send({ error: 'too_many_requests', field: 'sql', reason });
    }
    try {
      // Parsing runs nothing (formatQuery on a bound parameter, EXPLAIN AST), so it may use the store's
      // own connection; only the accepted query runs as the read-only user.
      const read = await readQuery(deps.store.client, sql, { db: deps.store.db, functions: await functions() });
      if (!read.ok) {
        await audit('refused', read.reason);
        return sendBad(reply, { error: 'bad_request', field: 'sql', reason: `query refused: ${read.reason}` });
      }
      try {
        const answer = await runQuery(runner.client, read.wrapped, p.data.format, limits, deps.store.mode);
        await audit('answered', '', answer.rows, answer.bytes);
        return reply.type(p.data.format.startsWith('JSON') ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8').send(answer.text);
      } catch (e) {
        // A query ClickHouse stops (a limit, an unknown column) is the caller's to fix: 400 with its words.
        const reason = clickhouseReason(e);
        await audit('failed', reason);
        return sendBad(reply, { error: 'bad_request', field: 'sql', reason: `query failed: ${reason}` });
      }
    } finally {
      inFlight.leave(client);
    }
  });
}
