// GET /quality?since=YYYY-MM-DD&source=: data quality per source, entity and day (v_data_quality:
// read, accepted, rejected and why, unknown units, dossiers missing dates, late arrivals,
// corrections). Operator tokens only: rejects and unknown codes are not attributed to a unit.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { select } from '../../../infra/clickhouse/store.ts';
import { addDays, hcmToday } from '../../../indicators/periods.ts';
import { requireUnscoped } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { isoDate, parseParams, sendBad, sourceName } from '../params.ts';

const schema = z.strictObject({ since: isoDate.optional(), source: sourceName.optional() });

export interface QualityRow {
  source: string;
  entity: string;
  day: string;
  metric: string;
  reason: string;
  n: number;
}

export function qualityRoutes(api: FastifyInstance, deps: RouteDeps): void {
  api.get('/quality', async (req, reply) => {
    const p = parseParams(schema, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    if (!requireUnscoped(req, reply)) return reply;
    const since = p.data.since ?? addDays(hcmToday(), -6);
    const rows = await select<QualityRow & { n: number | string }>(
      deps.store,
      `SELECT source, entity, toString(q.day) AS day, metric, reason, n FROM ${deps.store.db}.v_data_quality AS q
       WHERE q.day >= {since:Date} AND ({source:String} = '' OR source = {source:String})
       ORDER BY q.day DESC, source, entity, metric, reason`,
      { since, source: p.data.source ?? '' },
    );
    return { since, rows: rows.map((r) => ({ ...r, n: Number(r.n) })) };
  });
}
