// `chiso backup DEST` and `chiso restore SRC` (docs/backup.md). With chDB only one process may open
// the data directory: when the chiso process runs on it, the backup is asked of that process through
// the API; otherwise this command opens the store itself. A restore needs the store to itself.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { openStore } from '../../../infra/clickhouse/store.ts';
import { stackPaths } from '../../../infra/paths.ts';
import { runningPid } from '../../../infra/process.ts';
import type { Config } from '../../../schemas/config.ts';
import { apiClient, expectOk } from '../../ioc-api/client.ts';
import type { BackupJob } from '../../ioc-api/routes/backup.ts';
import { InfraError, UsageError } from '../../../lib/errors.ts';
import { type BackupSummary, createBackup, DEFAULT_SERVER_DISK, type RestoreSummary, restoreBackup } from '../../../infra/clickhouse/backup-run.ts';
import { type Context, makeContext } from '../context.ts';
import { table } from '../render.ts';

/** Whether a chiso process answers on this data directory's port (it then holds the chDB store). */
async function processRunning(cfg: Config): Promise<boolean> {
  const app = stackPaths(cfg).app;
  if (runningPid(app) === undefined && !existsSync(app.portFile)) return false;
  try {
    const r = await fetch(`${apiClient(cfg).base}/health/live`, { signal: AbortSignal.timeout(3000) });
    return r.ok;
  } catch {
    return false;
  }
}

async function backupThroughApi(ctx: Context, dest: string, withSecrets: boolean): Promise<BackupSummary> {
  const api = apiClient(ctx.cfg);
  ctx.say(`chiso đang chạy / chiso is running on ${ctx.cfg.dataDir}: it writes the backup itself...`);
  const started = await api.post('/internal/backup', { dest, withSecrets });
  if (started.status === 404) {
    throw new UsageError(`the chiso process running on ${ctx.cfg.dataDir} does not serve the API (CHISO_ROLES without api), and it holds the store: add the api role, or stop it and run chiso backup again`);
  }
  let job = (await (await expectOk(started)).json()) as BackupJob;
  while (job.status === 'running') {
    await sleep(1000);
    job = (await (await expectOk(await api.get(`/internal/backup/${job.job}`))).json()) as BackupJob;
  }
  if (job.status === 'failed') throw job.usage ? new UsageError(job.error) : new InfraError(`the backup failed in the chiso process: ${job.error}`, 'BACKUP_FAILED', { dest }, { retriable: false });
  return job.summary;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('sao lưu / back up the store (ClickHouse BACKUP of every table), the archived exports and checkpoints, with a manifest to check a restore against')
    .argument('<dest>', 'a new or empty folder, e.g. /var/backups/chiso/2025-03-31')
    .option('--with-secrets', 'also save CHISO_DATA_DIR/secrets (the generated PII key and API token): keep such a backup as safe as the key')
    .option('--disk <name>', 'ClickHouse server only: the backup disk of the server (config.d/backups.xml)', DEFAULT_SERVER_DISK)
    .action(async (destArg: string, opts: { withSecrets?: boolean; disk: string }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const dest = resolve(destArg);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(opts.disk)) throw new UsageError('--disk: expected the name of a ClickHouse disk (letters, digits, _ or -)');
      let summary: BackupSummary;
      if (ctx.cfg.clickhouse.mode === 'chdb' && (await processRunning(ctx.cfg))) {
        summary = await backupThroughApi(ctx, dest, opts.withSecrets === true);
      } else {
        // chDB may write backups only under the path given when it opens: here, the destination.
        const store = await openStore(ctx.cfg.clickhouse, ctx.cfg.clickhouse.mode === 'chdb' ? { backupsPath: dest } : {});
        try {
          summary = await createBackup(store, ctx.cfg, dest, { withSecrets: opts.withSecrets === true, disk: opts.disk }, ctx.log);
        } finally {
          await store.close();
        }
      }
      ctx.result(summary, () =>
        [
          `Đã sao lưu / backup written: ${summary.dest}`,
          `  ${summary.tables} bảng / tables, ${summary.rows} dòng / rows, ${summary.migrations} migrations, ${summary.files} tệp / files (${mb(summary.bytes)} MB) in ${summary.seconds.toFixed(1)} s`,
          ...(summary.clickhouse.target.engine === 'Disk' ? [`  ClickHouse part on the server: Disk('${summary.clickhouse.target.disk}', '${summary.clickhouse.target.path}')`] : []),
          ...(summary.dataDirs.length > 0 ? [`  data directory folders: ${summary.dataDirs.join(', ')}`] : []),
        ].join('\n'),
      );
    });

  program
    .command('restore')
    .description('khôi phục / restore a backup into an empty store, check every table\'s rows against its manifest, then migrate')
    .argument('<src>', 'a folder written by chiso backup')
    .option('--force', 'replace a store that holds data (its current data is lost)')
    .action(async (srcArg: string, opts: { force?: boolean }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const src = resolve(srcArg);
      if (!existsSync(src)) throw new UsageError(`${src}: no such backup folder`);
      if (ctx.cfg.clickhouse.mode === 'chdb' && (await processRunning(ctx.cfg))) {
        throw new UsageError(`chiso is running on ${ctx.cfg.dataDir}: stop it first (npx chiso down), restore, then start it again`);
      }
      // chDB may read backups only under the path given when it opens: here, the backup folder.
      const store = await openStore(ctx.cfg.clickhouse, ctx.cfg.clickhouse.mode === 'chdb' ? { backupsPath: src } : {});
      let summary: RestoreSummary;
      try {
        summary = await restoreBackup(store, ctx.cfg, src, { force: opts.force === true }, ctx.log);
      } finally {
        await store.close();
      }
      ctx.result(summary, () =>
        summary.ok
          ? [
              `Đã khôi phục / restored: ${summary.src} (sao lưu lúc / backed up at ${summary.backupCreatedAt}) into ${summary.database}`,
              `  ${summary.tables.length} bảng / tables, ${summary.rows} dòng / rows: every table matches the manifest; ${summary.migrationsApplied} migrations applied since`,
              ...(summary.dataDirs.length > 0 ? [`  data directory folders: ${summary.dataDirs.join(', ')}`] : []),
            ].join('\n')
          : [`KHÔNG KHỚP / MISMATCH: the restored rows differ from the manifest of ${summary.src}`, table(summary.tables.filter((t) => !t.ok).map((t) => ({ ...t })), ['name', 'expected', 'expectedAtMost', 'found'])].join('\n'),
      );
      if (!summary.ok) process.exitCode = 1;
    });
}
