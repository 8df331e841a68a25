// What every route of the IOC API receives.
import type { Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import type { Logger } from '../lib/logger.ts';
import type { UnitTree } from './units.ts';
import type { Sources } from './sources.ts';

export interface IocDeps {
  cfg: Config;
  store: Store;
  log: Logger;
}

export interface RouteDeps extends IocDeps {
  units: () => Promise<UnitTree>;
  sources: () => Promise<Sources>;
}
