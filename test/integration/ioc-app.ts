// The IOC API as the IOC tests use it: the all-in-one process's HTTP front (security headers, health,
// metrics) with the `api` role, on a database of its own in chDB (this process), migrated and seeded
// with the IOC fixture (fixtures/ioc-seed.ts), tokens from TOKEN_ENV; listening
// on a free local port when a browser needs it, otherwise reached through app.inject.
import type { FastifyInstance } from 'fastify';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { readiness } from '../../services/all-in-one/health.ts';
import { buildHttp } from '../../services/all-in-one/http.ts';
import type { Logger } from '../../lib/logger.ts';
import { testConfig } from '../support/env.ts';
import { seedIoc, TOKEN_ENV } from './fixtures/ioc-seed.ts';

export interface SeededIocApi {
  cfg: Config;
  store: Store;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> when started with listen, else ''. */
  base: string;
  /** Closes the app, drops the database and closes the store. */
  stop(): Promise<void>;
}

export async function startSeededIocApi(log: Logger, opts: { listen?: boolean; env?: Record<string, string> } = {}): Promise<SeededIocApi> {
  const cfg = testConfig({ ...TOKEN_ENV, CHISO_ROLES: 'api', ...opts.env });
  const store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  await seedIoc(store);
  const app = await buildHttp(log, { cfg, store, readiness: () => readiness(cfg, store, []) });
  let base = '';
  if (opts.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  } else {
    await app.ready();
  }
  return {
    cfg,
    store,
    app,
    base,
    async stop() {
      await app.close();
      await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
      await store.close();
    },
  };
}
