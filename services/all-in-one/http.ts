// The all-in-one process's HTTP front: /health/live and /health/ready (no token; details of ready
// for operator tokens only), /metrics for Prometheus, and, when this process has the `api` role, the
// IOC API under /api/v1 and the dashboard at `/`; security headers and a CSP on every answer.
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { type AuthLimitOptions, FailedAuthLimiter } from '../ioc-api/auth-limit.ts';
import { authenticate, tokenChecker } from '../ioc-api/auth.ts';
import { registerIocApi } from '../ioc-api/index.ts';
import { knownApiTokens } from '../../infra/secrets/api-tokens.ts';
import type { Logger } from '../../lib/logger.ts';
import { enableProcessMetrics, metricsRegistry } from '../../lib/metrics.ts';
import type { Readiness } from './health.ts';
import { measureRequests } from './http-metrics.ts';

export interface HttpDeps {
  cfg: Config;
  store: Store;
  readiness: () => Promise<Readiness>;
  /** The failed-authentication limit (tests shorten the window or move the clock). */
  authLimit?: Partial<AuthLimitOptions>;
}

/** The dashboard's own files only: no inline script or style, no CDN, API calls to the same origin. */
const CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

export async function buildHttp(log: Logger, deps: HttpDeps): Promise<FastifyInstance> {
  const { cfg } = deps;
  // Fastify's own request lines carry the URL and client address; the IOC API logs its own access
  // lines without personal data instead. bodyLimit is the ceiling; each API route states its own (ioc-api/limits.ts).
  const app = Fastify({ loggerInstance: log.child({ component: 'http' }) as FastifyBaseLogger, disableRequestLogging: true, bodyLimit: 256 * 1024 });
  enableProcessMetrics();
  measureRequests(app);
  // No upgrade-insecure-requests: the dashboard is served over plain HTTP on a LAN address, where it
  // would send every request to an https:// that does not exist.
  await app.register(helmet, { contentSecurityPolicy: CSP });

  const limiter = new FailedAuthLimiter(deps.authLimit);
  const checkToken = tokenChecker(knownApiTokens(cfg));

  app.get('/health/live', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'));
  app.get('/health/ready', async (req, reply) => {
    // No header: the short answer; a token: only an operator's (no unit scope) sees the details.
    let operator = false;
    if (req.headers.authorization !== undefined) {
      const caller = await authenticate(req, reply, checkToken, limiter);
      if (!caller) return reply;
      operator = caller.unit === undefined;
    }
    const r = await deps.readiness();
    return reply.code(r.status === 'ready' ? 200 : 503).send(operator ? r : { status: r.status, reasons: r.reasons });
  });
  // The former address, kept for probes that still ask it: the short answer only.
  app.get('/health', async (_req, reply) => {
    const r = await deps.readiness();
    return reply.code(r.status === 'ready' ? 200 : 503).send({ status: r.status, reasons: r.reasons });
  });

  const metricsCheck = cfg.metricsToken ? tokenChecker([{ token: cfg.metricsToken }]) : undefined;
  app.get('/metrics', async (req, reply) => {
    if (metricsCheck && !(await authenticate(req, reply, metricsCheck, limiter))) return reply;
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });

  if (cfg.roles.includes('api')) await registerIocApi(app, { cfg, store: deps.store, log, authLimiter: limiter });
  return app;
}
