// GET /reports/monthly?unit=&month=YYYY-MM[&format=csv][&stored=true]: the month's report, built
// now from the current data or (stored=true) the copy the monthly workflow kept; GET /reports lists
// the stored ones the caller may see.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { allowUnit } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { flag, month, parseParams, sendBad, sendError, unitCode } from '../params.ts';
import { reportCsv } from '../../../indicators/report/csv.ts';
import { buildMonthlyReport } from '../../../indicators/report/rows.ts';
import { listReports, loadReport } from '../../../indicators/report/store.ts';
import { reportXlsx } from '../../../indicators/report/xlsx.ts';

const monthlySchema = z.strictObject({
  unit: unitCode,
  month,
  format: z.enum(['xlsx', 'csv'], { error: 'expected xlsx or csv' }).default('xlsx'),
  stored: flag.default(false),
});
const listSchema = z.strictObject({ unit: unitCode.optional() });

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function reportsRoutes(api: FastifyInstance, deps: RouteDeps): void {
  api.get('/reports/monthly', async (req, reply) => {
    const p = parseParams(monthlySchema, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    const q = p.data;
    const tree = await deps.units();
    if (!allowUnit(req, reply, tree, q.unit)) return reply;
    const file = `bao-cao-${q.unit}-${q.month}.${q.format}`;
    reply.header('content-type', q.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE).header('content-disposition', `attachment; filename="${file}"`);
    if (q.stored) {
      const stored = await loadReport(deps.store, q.unit, q.month, q.format);
      if (!stored) return sendError(reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', null), 404, 'not_found', 'month', 'no stored report for this unit and month');
      return reply.send(stored);
    }
    const src = await deps.sources();
    if (!src.scorecard) return reply.code(503).header('content-type', 'application/json; charset=utf-8').send({ error: 'unavailable', field: '', reason: 'the v_scorecard view does not exist yet: run the migrations' });
    const unit = tree.get(q.unit);
    const report = await buildMonthlyReport(deps.store, src, { code: q.unit, name: unit?.name ?? q.unit }, q.month);
    return reply.send(q.format === 'csv' ? reportCsv(report) : await reportXlsx(report));
  });

  api.get('/reports', async (req, reply) => {
    const p = parseParams(listSchema, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    const tree = await deps.units();
    const root = p.data.unit ?? req.caller?.unit;
    if (root !== undefined && !allowUnit(req, reply, tree, root)) return reply;
    const units = root === undefined ? undefined : tree.subtree(root).map((u) => u.code);
    return { reports: await listReports(deps.store, units) };
  });
}
