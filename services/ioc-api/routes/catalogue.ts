// GET /units (the caller's subtree of the hierarchy) and GET /indicators (the catalogue).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteDeps } from '../deps.ts';
import { parseParams, sendBad } from '../params.ts';
import { indicatorCatalogue } from '../../../indicators/queries.ts';

const none = z.strictObject({});

export function unitsAndIndicatorsRoutes(api: FastifyInstance, deps: RouteDeps): void {
  api.get('/units', async (req, reply) => {
    const p = parseParams(none, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    const tree = await deps.units();
    const scope = req.caller?.unit;
    const units = scope === undefined ? tree.units : tree.subtree(scope).sort((a, b) => a.code.localeCompare(b.code));
    return { root: scope ?? null, units };
  });

  api.get('/indicators', async (req, reply) => {
    const p = parseParams(none, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    return { indicators: await indicatorCatalogue(deps.store) };
  });
}
