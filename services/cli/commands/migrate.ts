// `chiso migrate [--check]`: applies the ClickHouse migrations not yet applied to the store, in order,
// each once (ledger: schema_migrations), printing each as it runs; with --check, applies nothing and
// exits 3 when some are pending, listing them with their last failure. A failed migration exits 1
// naming the statement; it is recorded (schema_migration_failures) and the next run starts it again.
// Roles refuse to start on a store that is behind (infra/clickhouse/store-gate.ts).
import type { Command } from 'commander';
import { migrationStatus, runMigrations } from '../../../infra/clickhouse/migrate.ts';
import { openStore } from '../../../infra/clickhouse/store.ts';
import { makeContext } from '../context.ts';

/** The exit code of `chiso migrate --check` when the store is behind. */
export const PENDING_EXIT_CODE = 3;

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply the pending ClickHouse migrations (once each, in order; CLICKHOUSE_CLUSTER: ON CLUSTER); run it before starting or upgrading the roles')
    .option('--check', `apply nothing: list the pending migrations and exit ${PENDING_EXIT_CODE} when there are any`)
    .action(async (opts: { check?: boolean }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const store = await openStore(ctx.cfg.clickhouse);
      try {
        const where = { database: store.db, store: store.where, ...(store.cluster ? { cluster: store.cluster } : {}) };
        if (opts.check) {
          const status = await migrationStatus(store);
          ctx.result({ ...where, applied: status.applied.map((a) => a.name), pending: status.pending }, () =>
            status.pending.length === 0
              ? `Đã cập nhật / up to date: ${status.applied.length} migration(s) applied to ${store.db} (${store.where})`
              : [
                  `Chưa áp dụng / pending on ${store.db} (${store.where}): ${status.pending.length}`,
                  ...status.pending.map((p) => `  ${p.name}${p.lastFailure ? `  (LỖI / FAILED ${p.lastFailure.failedAt} at statement ${p.lastFailure.statement}: ${p.lastFailure.error.split('\n')[0] ?? ''})` : ''}`),
                  'Chạy / run: chiso migrate',
                ].join('\n'),
          );
          if (status.pending.length > 0) process.exitCode = PENDING_EXIT_CODE;
          return;
        }
        ctx.say(`Di chuyển lược đồ / migrating ${store.db} (${store.where})${store.cluster ? ` ON CLUSTER ${store.cluster}` : ''}`);
        const r = await runMigrations(store, ctx.log, { onApplied: (name) => ctx.say(`  đã áp dụng / applied ${name}`) });
        ctx.result({ ...where, applied: r.applied, alreadyApplied: r.alreadyApplied }, () =>
          r.applied.length === 0
            ? `Không có gì để áp dụng / nothing to apply: all ${r.alreadyApplied} migration(s) were applied before`
            : `Xong / done: ${r.applied.length} applied now, ${r.alreadyApplied} before`,
        );
      } finally {
        await store.close();
      }
    });
}
