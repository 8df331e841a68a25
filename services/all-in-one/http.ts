// The all-in-one process's HTTP front: /health now; the IOC API and dashboard mount here too.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../lib/logger.ts';
import type { HealthReport } from './health.ts';

export function buildHttp(log: Logger, deps: { health: () => Promise<HealthReport> }): FastifyInstance {
  const app = Fastify({ loggerInstance: log.child({ component: 'http' }) as FastifyBaseLogger, disableRequestLogging: false });
  app.get('/health', async (_req, reply) => {
    const report = await deps.health();
    return reply.code(report.ok ? 200 : 503).send(report);
  });
  return app;
}
