// GET /scorecard?unit=&year=[&plan=][&children=true]: the unit's targets, values and attainment
// for the year (v_scorecard), and with children=true the same for each child unit (drill-down).
// Served by one statement with the predicates pushed down (scorecard-query.ts) once migration 0040 ran.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { allowUnit } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { flag, parseParams, planCode, sendBad, unitCode, year } from '../params.ts';
import { indicatorCatalogue, scorecardRows } from '../../../indicators/queries.ts';
import { type NamedScoreRow, scorecardWithNames, yearTableLoader } from './scorecard-query.ts';

const schema = z.strictObject({ unit: unitCode, year, plan: planCode.optional(), children: flag.default(false) });

export function scorecardRoutes(api: FastifyInstance, deps: RouteDeps): void {
  const hasYearTable = yearTableLoader(deps.store);
  api.get('/scorecard', async (req, reply) => {
    const p = parseParams(schema, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    const q = p.data;
    const tree = await deps.units();
    if (!allowUnit(req, reply, tree, q.unit)) return reply;
    const src = await deps.sources();
    if (!src.scorecard) return reply.code(503).send({ error: 'unavailable', field: '', reason: 'the v_scorecard view does not exist yet: run the migrations' });
    const kids = q.children ? tree.childrenOf(q.unit) : [];
    const codes = [q.unit, ...kids.map((k) => k.code)];
    let named: NamedScoreRow[];
    if (await hasYearTable()) {
      named = await scorecardWithNames(deps.store, codes, q.year, q.plan);
    } else {
      const rows = await scorecardRows(deps.store, src, codes, q.year, q.plan);
      const names = new Map((await indicatorCatalogue(deps.store)).map((i) => [i.code, i.name_vi]));
      named = rows.map((r) => ({ ...r, name_vi: names.get(r.indicator) ?? r.indicator }));
    }
    const unit = tree.get(q.unit);
    return {
      unit: { code: q.unit, name: unit?.name ?? q.unit, level: unit?.level ?? '' },
      year: q.year,
      rows: named.filter((r) => r.unit === q.unit),
      ...(q.children ? { children: kids.map((k) => ({ code: k.code, name: k.name, level: k.level, rows: named.filter((r) => r.unit === k.code) })) } : {}),
    };
  });
}
