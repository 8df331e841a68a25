// What every activity factory receives: configuration, the store and a logger (no globals).
import type { Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import type { Logger } from '../../lib/logger.ts';

export interface ActivityDeps {
  cfg: Config;
  store: Store;
  log: Logger;
}
