// GET /runs, /runs/{id} (with the days its records count on), /rejects?run=: the ingestion ledger and its rejects (operator tokens only:
// runs are not attributed to units, and rejects keep the original text).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { select } from '../../../infra/clickhouse/store.ts';
import { runDaysSql } from '../../../indicators/run-days.ts';
import { requireUnscoped } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { isoDate, limit, offset, parseParams, runId, sendBad, sendError, sourceName } from '../params.ts';

const listSchema = z.strictObject({
  status: z.enum(['running', 'succeeded', 'failed'], { error: 'expected one of running, succeeded, failed' }).optional(),
  source: sourceName.optional(),
  since: isoDate.optional(),
  limit: limit(1000, 100),
});
const idSchema = z.strictObject({ id: runId });
const rejectsSchema = z.strictObject({ run: runId, limit: limit(10_000, 1000), offset });

const RUN_COLUMNS = `run_id, source, entity, origin, started_at, finished_at,
  status, toUInt64(read) AS read, toUInt64(accepted) AS accepted, toUInt64(rejected) AS rejected, error, replay_of`;

interface RunRow {
  run_id: string;
  read: number | string;
  accepted: number | string;
  rejected: number | string;
  [k: string]: unknown;
}
const counts = (r: RunRow) => ({ ...r, read: Number(r.read), accepted: Number(r.accepted), rejected: Number(r.rejected) });

export function runsRoutes(api: FastifyInstance, deps: RouteDeps): void {
  const db = deps.store.db;

  api.get('/runs', async (req, reply) => {
    const p = parseParams(listSchema, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    if (!requireUnscoped(req, reply)) return reply;
    const q = p.data;
    const rows = await select<RunRow>(
      deps.store,
      `SELECT ${RUN_COLUMNS} FROM ${db}.ingest_runs FINAL
       WHERE ({status:String} = '' OR status = {status:String}) AND ({source:String} = '' OR source = {source:String})
         AND started_at >= toDateTime64({since:Date}, 3, 'Asia/Ho_Chi_Minh')
       ORDER BY started_at DESC LIMIT {limit:UInt32}`,
      { status: q.status ?? '', source: q.source ?? '', since: q.since ?? '1970-01-01', limit: q.limit },
    );
    return { runs: rows.map(counts) };
  });

  api.get('/runs/:id', async (req, reply) => {
    const p = parseParams(idSchema, req.params);
    if (!p.ok) return sendBad(reply, p.bad);
    const extra = parseParams(z.strictObject({}), req.query);
    if (!extra.ok) return sendBad(reply, extra.bad);
    if (!requireUnscoped(req, reply)) return reply;
    const [run] = await select<RunRow>(deps.store, `SELECT ${RUN_COLUMNS} FROM ${db}.ingest_runs FINAL WHERE run_id = {id:String}`, { id: p.data.id });
    if (!run) return sendError(reply, 404, 'not_found', 'id', `no ingestion run ${p.data.id}`);
    const reasons = await select<{ reason: string; field: string; count: string }>(
      deps.store,
      `SELECT reason, field, count() AS count FROM ${db}.rejects FINAL WHERE run_id = {id:String} GROUP BY reason, field ORDER BY count() DESC LIMIT 50`,
      { id: p.data.id },
    );
    // The days its records count on, from its raw events (what a replay of it recomputes).
    const days = await select<{ day: string }>(deps.store, runDaysSql(db, '{runs:Array(String)}'), { runs: [p.data.id] });
    return { run: counts(run), rejectReasons: reasons.map((r) => ({ ...r, count: Number(r.count) })), days: days.map((d) => d.day) };
  });

  api.get('/rejects', async (req, reply) => {
    const p = parseParams(rejectsSchema, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    if (!requireUnscoped(req, reply)) return reply;
    const q = p.data;
    const rows = await select<Record<string, unknown>>(
      deps.store,
      `SELECT run_id, source, entity, location, field, reason, original, topic, partition, toString(offset) AS offset, rejected_at
       FROM ${db}.rejects FINAL WHERE run_id = {run:String} ORDER BY location, reason LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
      { run: q.run, limit: q.limit, offset: q.offset },
    );
    return { run: q.run, rejects: rows };
  });
}
