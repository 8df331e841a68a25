// The IOC API: read-only JSON under /api/v1 (shared/design/IOC.md), every request with a bearer
// token, scoped to a unit's subtree when the token carries one; plus the dashboard at `/`.
import type { FastifyInstance } from 'fastify';
import { authenticator } from './auth.ts';
import { FailedAuthLimiter } from './auth-limit.ts';
import { bodyLimitOf } from './limits.ts';
import { registerDashboard } from './dashboard.ts';
import type { IocDeps, RouteDeps } from './deps.ts';
import { backupRoutes } from './routes/backup.ts';
import { unitsAndIndicatorsRoutes } from './routes/catalogue.ts';
import { operationsRoutes } from './routes/operations.ts';
import { queryRoutes } from './routes/query.ts';
import { reportsRoutes } from './routes/reports.ts';
import { qualityRoutes } from './routes/quality.ts';
import { runsRoutes } from './routes/runs.ts';
import { scorecardRoutes } from './routes/scorecard.ts';
import { valuesRoutes } from './routes/values.ts';
import { sourcesLoader } from '../../indicators/sources.ts';
import { ensureApiTokens } from '../../infra/secrets/api-tokens.ts';
import { unitTreeLoader } from './units.ts';
import { createJobs } from './jobs.ts';
import { startArchiveRetention } from './retention.ts';

export type { IocDeps } from './deps.ts';

export async function registerIocApi(app: FastifyInstance, deps: IocDeps): Promise<void> {
  const tokens = ensureApiTokens(deps.cfg);
  const log = deps.log.child({ component: 'ioc-api' });
  const routeDeps: RouteDeps = { ...deps, log, units: unitTreeLoader(deps.store), sources: sourcesLoader(deps.store) };
  // The operator's write commands start workflows through one Temporal client; uploads are archived.
  const jobs = createJobs(deps.cfg, log);
  const stopRetention = startArchiveRetention(deps.cfg, log);
  app.addHook('onClose', async () => {
    stopRetention();
    await jobs.close();
  });

  await app.register(
    async (api) => {
      // Every route states the body it accepts (limits.ts); set before the routes are added.
      api.addHook('onRoute', (route) => {
        route.bodyLimit ??= bodyLimitOf(route.method, route.url);
      });
      api.addHook('onRequest', authenticator(tokens, deps.authLimiter ?? new FailedAuthLimiter()));
      // Access log: route pattern, status, duration and the token's label; never the token, the
      // client address or query values (which may carry run ids or unit codes of a scoped caller).
      api.addHook('onResponse', async (req, reply) => {
        log.info({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime), client: req.caller?.client ?? 'anonymous' }, 'api request');
      });
      api.setErrorHandler(async (err, req, reply) => {
        const e = err as { statusCode?: number; message?: string; code?: string };
        if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
          return reply.code(e.statusCode).send({ error: 'bad_request', field: e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'content-type' : 'body', reason: e.message ?? 'bad request' });
        }
        log.error({ err, route: req.routeOptions.url }, 'api request failed');
        return reply.code(500).send({ error: 'internal', field: '', reason: 'the request failed on the server; see the chiso log' });
      });
      unitsAndIndicatorsRoutes(api, routeDeps);
      valuesRoutes(api, routeDeps);
      scorecardRoutes(api, routeDeps);
      reportsRoutes(api, routeDeps);
      runsRoutes(api, routeDeps);
      qualityRoutes(api, routeDeps);
      queryRoutes(api, routeDeps);
      backupRoutes(api, routeDeps);
      operationsRoutes(api, { ...routeDeps, jobs });
      api.all('/*', async (_req, reply) => reply.code(404).send({ error: 'not_found', field: 'path', reason: 'no such API resource' }));
    },
    { prefix: '/api/v1' },
  );
  await registerDashboard(app);
  log.info({ tokens: tokens.length, scoped: tokens.filter((t) => t.unit).length }, 'IOC API mounted at /api/v1, dashboard at /');
}
