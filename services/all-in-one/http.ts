// The all-in-one process's HTTP front: /health (no token) and, when this process has the `api`
// role, the IOC API under /api/v1 and the dashboard at `/`.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { registerIocApi } from '../ioc-api/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { HealthReport } from './health.ts';

export async function buildHttp(log: Logger, deps: { cfg: Config; store: Store; health: () => Promise<HealthReport> }): Promise<FastifyInstance> {
  // Fastify's own request lines carry the URL and client address; the IOC API logs its own access
  // lines without personal data instead.
  const app = Fastify({ loggerInstance: log.child({ component: 'http' }) as FastifyBaseLogger, disableRequestLogging: true, bodyLimit: 256 * 1024 });
  app.get('/health', async (_req, reply) => {
    const report = await deps.health();
    return reply.code(report.ok ? 200 : 503).send(report);
  });
  if (deps.cfg.roles.includes('api')) await registerIocApi(app, { cfg: deps.cfg, store: deps.store, log });
  return app;
}
