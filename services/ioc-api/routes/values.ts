// GET /values?indicator=&unit=&period=&from=&to=: an indicator's time series for one unit.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { allowUnit } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { indicatorCode, isoDate, limit, parseParams, period, sendBad, unitCode } from '../params.ts';
import { valueRows } from '../../../indicators/queries.ts';

const schema = z
  .strictObject({
    unit: unitCode,
    indicator: indicatorCode.optional(),
    period: period.default('day'),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: limit(100_000, 50_000),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'expected to on or after from' });

export function valuesRoutes(api: FastifyInstance, deps: RouteDeps): void {
  api.get('/values', async (req, reply) => {
    const p = parseParams(schema, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    const q = p.data;
    const tree = await deps.units();
    if (!allowUnit(req, reply, tree, q.unit)) return reply;
    const thisYear = new Date().getUTCFullYear();
    const from = q.from ?? (q.to ? `${q.to.slice(0, 4)}-01-01` : `${thisYear}-01-01`);
    const to = q.to ?? (q.from ? `${q.from.slice(0, 4)}-12-31` : `${thisYear}-12-31`);
    const rows = await valueRows(deps.store, await deps.sources(), { units: [q.unit], period: q.period, from, to, limit: q.limit, ...(q.indicator ? { indicator: q.indicator } : {}) });
    return { unit: q.unit, period: q.period, from, to, values: rows };
  });
}
