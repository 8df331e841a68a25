// The all-in-one process of the embedded stack: it alone opens the chDB directory, so the sink,
// the Temporal worker and the IOC API run here together. `chiso up` starts it; SIGTERM stops it
// cleanly (services drained, the store closed after its last query).
import { writeFileSync } from 'node:fs';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore } from '../../infra/clickhouse/store.ts';
import { stackPaths } from '../../infra/paths.ts';
import { loadConfig } from '../../schemas/config.ts';
import { createLogger } from '../lib/logger.ts';
import { describeGenerated, ensureSecrets, secretsOfRoles } from '../lib/secrets.ts';
import { createSink } from '../sink/index.ts';
import { createWorker } from '../worker/index.ts';
import type { Service } from '../lib/service.ts';
import { readiness } from './health.ts';
import { buildHttp } from './http.ts';

const cfg = loadConfig(process.env);
const log = createLogger(cfg.logLevel, { name: 'chiso' });
// A server deployment refuses here without the secrets its roles use; the embedded default makes them once.
for (const g of ensureSecrets(cfg, secretsOfRoles(cfg.roles))) log.warn({ file: g.file }, describeGenerated(g));
const store = await openStore(cfg.clickhouse);
await migrate(store, log.child({ component: 'migrate' }));

const services: Service[] = [];
if (cfg.roles.includes('sink')) services.push(createSink({ cfg, store, log }));
if (cfg.roles.includes('worker')) services.push(createWorker({ cfg, store, log }));
for (const s of services) await s.start();

const http = await buildHttp(log, { cfg, store, readiness: () => readiness(cfg, store, services) });
await http.listen({ host: cfg.bindHost, port: cfg.api.port });
writeFileSync(stackPaths(cfg).app.portFile, `${cfg.api.port}\n`);
log.info({ url: `http://${cfg.bindHost}:${cfg.api.port}/`, store: store.where }, 'chiso is up');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  await http.close();
  for (const s of [...services].reverse()) await s.stop().catch((e: unknown) => log.error({ err: e, service: s.name }, 'stop failed'));
  await store.close();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
