// The one rule on a store's schema at a role's start: apply the pending migrations when the process
// was asked to (CHISO_AUTO_MIGRATE=1: the embedded `chiso up` / `chiso start`), otherwise refuse to
// run on a store that is behind and say what to do. Deployments migrate once, with `chiso migrate`,
// before they start or upgrade their roles (docs/production.md).
import { migrate, pendingMigrations } from './migrate.ts';
import type { Store } from './store.ts';
import type { Config } from '../../schemas/config.ts';
import { InfraError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';

export async function ensureMigrated(cfg: Pick<Config, 'autoMigrate'>, store: Store, log: Logger): Promise<void> {
  if (cfg.autoMigrate) {
    await migrate(store, log.child({ component: 'migrate' }));
    return;
  }
  const pending = await pendingMigrations(store);
  if (pending.length > 0) {
    throw new InfraError(
      `the store ${store.where} (database ${store.db}) is behind: ${pending.length} migration(s) pending (${pending.join(', ')}). ` +
        'Run `chiso migrate` with the same configuration first, then start this process again.',
      'MIGRATIONS_PENDING',
      { pending },
      { retriable: false },
    );
  }
}
