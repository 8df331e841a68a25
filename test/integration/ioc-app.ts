// The IOC API as the IOC tests use it: Fastify on a database of its own in chDB (this process),
// migrated and seeded with the IOC fixture (fixtures/ioc-seed.ts), tokens from TOKEN_ENV; listening
// on a free local port when a browser needs it, otherwise reached through app.inject.
import Fastify, { type FastifyInstance } from 'fastify';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { registerIocApi } from '../../services/ioc-api/index.ts';
import type { Logger } from '../../services/lib/logger.ts';
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

export async function startSeededIocApi(log: Logger, opts: { listen?: boolean } = {}): Promise<SeededIocApi> {
  const cfg = testConfig(TOKEN_ENV);
  const store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  await seedIoc(store);
  const app = Fastify();
  await registerIocApi(app, { cfg, store, log });
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
