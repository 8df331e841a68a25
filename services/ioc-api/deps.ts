// What every route of the IOC API receives.
import type { Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import type { Logger } from '../../lib/logger.ts';
import type { FailedAuthLimiter } from './auth-limit.ts';
import type { UnitTree } from './units.ts';
import type { Sources } from '../../indicators/sources.ts';

export interface IocDeps {
  cfg: Config;
  store: Store;
  log: Logger;
  /** Failed authentications per address, shared with /health/ready; a fresh one when not given. */
  authLimiter?: FailedAuthLimiter;
}

export interface RouteDeps extends IocDeps {
  units: () => Promise<UnitTree>;
  sources: () => Promise<Sources>;
}
