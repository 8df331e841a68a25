// The chiso process: the roles of CHISO_ROLES (sink, Temporal worker, IOC API) in one process. In
// the embedded stack it alone opens the chDB directory, so `chiso up` starts it with all three; a
// deployment runs one role per container (`chiso serve`). It starts on a fresh data directory
// (creating what it writes there) over code it cannot change, refuses a store whose migrations are
// behind (unless CHISO_AUTO_MIGRATE=1), and on SIGTERM drains within CHISO_DRAIN_SECONDS: exit 0 when
// every part stopped cleanly, 1 when the drain failed or ran out of time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../infra/clickhouse/store.ts';
import { stackPaths } from '../../infra/paths.ts';
import { loadConfig } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { ensureMigrated } from '../../infra/clickhouse/store-gate.ts';
import { describeGenerated, ensureSecrets, secretsOfRoles } from '../../infra/secrets/secrets.ts';
import { createSink } from '../sink/index.ts';
import { createWorker } from '../worker/index.ts';
import type { Service } from '../../lib/service.ts';
import { readiness } from './health.ts';
import { takeEarlySignal } from './early-signals.ts';
import { buildHttp } from './http.ts';

const cfg = loadConfig(process.env);
const log = createLogger(cfg.logLevel, { name: 'chiso' });
// A server deployment refuses here without the secrets its roles use; the embedded default makes them once.
for (const g of ensureSecrets(cfg, secretsOfRoles(cfg.roles))) log.warn({ file: g.file }, describeGenerated(g));

// A signal may come while the process is still starting (a container stopped during a slow start):
// the drain clock starts then, and the stop runs as soon as the start-up step under way ends.
let stopSignal: string | undefined;
let up = false;
let stopping = false;
function onSignal(signal: string): void {
  if (stopSignal !== undefined) return;
  stopSignal = signal;
  log.info({ signal, drainSeconds: cfg.drainMs / 1000 }, 'stopping');
  setTimeout(() => {
    log.error({ drainSeconds: cfg.drainMs / 1000 }, 'the drain did not finish in time (CHISO_DRAIN_SECONDS): exiting without it');
    process.exit(1);
  }, cfg.drainMs).unref();
  if (up) void shutdown();
}
process.on('SIGTERM', () => onSignal('SIGTERM'));
process.on('SIGINT', () => onSignal('SIGINT'));
const early = takeEarlySignal();
if (early !== undefined) onSignal(early);

const store = await openStore(cfg.clickhouse);
const services: Service[] = [];
let http: FastifyInstance | undefined;
try {
  await ensureMigrated(cfg, store, log);
  // The sink gives up retrying a failing write (its batch left uncommitted, redelivered later) before
  // the process's drain time runs out, so that it still leaves its consumer group cleanly.
  if (cfg.roles.includes('sink')) services.push(createSink({ cfg, store, log, options: { drainMs: Math.round(cfg.drainMs * 0.8) } }));
  if (cfg.roles.includes('worker')) services.push(createWorker({ cfg, store, log }));
  for (const s of services) {
    if (stopSignal !== undefined) break;
    await s.start();
  }
  if (stopSignal === undefined) {
    http = await buildHttp(log, { cfg, store, readiness: () => readiness(cfg, store, services) });
    await http.listen({ host: cfg.bindHost, port: cfg.api.port });
    const portFile = stackPaths(cfg).app.portFile;
    mkdirSync(dirname(portFile), { recursive: true });
    writeFileSync(portFile, `${cfg.api.port}\n`);
    log.info({ url: `http://${cfg.bindHost}:${cfg.api.port}/`, store: store.where, roles: cfg.roles }, 'chiso is up');
  }
} catch (e) {
  for (const s of [...services].reverse()) await s.stop().catch(() => undefined);
  await http?.close().catch(() => undefined);
  await store.close().catch(() => undefined);
  throw e;
}
up = true;
if (stopSignal !== undefined) void shutdown();

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  let clean = true;
  await http?.close().catch((e: unknown) => {
    clean = false;
    log.error({ err: e }, 'HTTP close failed');
  });
  for (const s of [...services].reverse()) {
    await s.stop().catch((e: unknown) => {
      clean = false;
      log.error({ err: e, service: s.name }, 'stop failed');
    });
  }
  await store.close().catch((e: unknown) => {
    clean = false;
    log.error({ err: e }, 'store close failed');
  });
  log.info({ clean }, 'stopped');
  process.exit(clean ? 0 : 1);
}
