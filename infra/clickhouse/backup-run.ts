// `chiso backup` / `chiso restore` in one place, run by whichever process holds the store (the CLI
// itself, or the running chiso process through POST /internal/backup). A backup folder holds:
//   clickhouse/      ClickHouse's own BACKUP of the database (chDB; a server writes to its backup disk)
//   files/<dir>/     the data directory's archived exports and checkpoints (and secrets when asked)
//   manifest.json    versions, migrations, rows per table, SHA-256 of every file (written last)
// A restore checks the files, refuses a store that holds data (unless forced), restores, compares
// the rows with the manifest, then brings the schema up to date with the ordinary migrations.
import { randomBytes, createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { Config } from '../../schemas/config.ts';
import { appliedMigrations, backupDatabase, type BackupTarget, restoreDatabase, tableCounts } from './backup.ts';
import { migrate } from './migrate.ts';
import { serverVersion, type Store } from './store.ts';
import { InfraError, UsageError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { chisoVersion } from '../../lib/version.ts';
import { MANIFEST_FILE, MANIFEST_FORMAT, type Manifest, readManifest, writeManifest } from './backup-manifest.ts';

/** Folders of the data directory that a backup carries: archived source exports and the ingestion checkpoints. */
export const DATA_DIRS = ['archive', 'checkpoints'] as const;
/** Carried only when asked (--with-secrets): the generated PII key and API token of the embedded stack. */
export const SECRETS_DIR = 'secrets';
/** The ClickHouse disk a server backs up to (infra/clickhouse/server/config.d/backups.xml). */
export const DEFAULT_SERVER_DISK = 'backups';

export interface BackupOptions {
  withSecrets?: boolean;
  /** Server mode: the backup disk of the ClickHouse server. */
  disk?: string;
}

export interface BackupSummary {
  dest: string;
  createdAt: string;
  chiso: string;
  clickhouse: Manifest['clickhouse'];
  migrations: number;
  tables: number;
  rows: number;
  files: number;
  bytes: number;
  dataDirs: string[];
  seconds: number;
}

export interface TableCheck {
  name: string;
  expected: number;
  /** Differs from expected when chiso wrote to the table while it was backed up. */
  expectedAtMost: number;
  found: number;
  ok: boolean;
}

export interface RestoreSummary {
  src: string;
  backupCreatedAt: string;
  database: string;
  ok: boolean;
  tables: TableCheck[];
  rows: number;
  dataDirs: string[];
  migrationsApplied: number;
  seconds: number;
}

const inside = (child: string, parent: string): boolean => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

async function isEmptyOrAbsent(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  if (!(await stat(dir)).isDirectory()) return false;
  return (await readdir(dir)).length === 0;
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Every file under dir (relative paths, sorted), with size and SHA-256. */
async function fileList(dir: string, skip: string): Promise<Manifest['files']> {
  const names = (await readdir(dir, { recursive: true })).map(String).sort();
  const out: Manifest['files'] = [];
  for (const name of names) {
    if (name === skip) continue;
    const full = join(dir, name);
    const s = await stat(full);
    if (!s.isFile()) continue;
    out.push({ path: name.split('\\').join('/'), bytes: s.size, sha256: await sha256(full) });
  }
  return out;
}

/** rename, or copy then delete across file systems. */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await cp(from, to, { recursive: true, errorOnExist: true, force: false });
    await rm(from, { recursive: true, force: true });
  }
}

const compactStamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export async function createBackup(store: Store, cfg: Config, destArg: string, opts: BackupOptions, log: Logger): Promise<BackupSummary> {
  const started = Date.now();
  const dest = resolve(destArg);
  if (!(await isEmptyOrAbsent(dest))) throw new UsageError(`${dest}: expected a new or empty folder for the backup (it already holds files)`);
  if (store.mode === 'chdb' && store.backupsPath === undefined) throw new InfraError('this chDB store was opened without a backups path', 'BACKUP_UNSUPPORTED', {}, { retriable: false });
  const createdAt = new Date().toISOString();
  // chDB may write only under its backups path: build the folder there, then move it to dest.
  const staged = store.mode === 'chdb' && !inside(dest, store.backupsPath ?? '');
  const work = staged ? join(store.backupsPath ?? '', `.staging-${compactStamp(createdAt)}-${randomBytes(4).toString('hex')}`) : dest;
  const destExisted = existsSync(dest);
  await mkdir(work, { recursive: true, mode: 0o700 });
  try {
    const [version, migrations, before] = await Promise.all([serverVersion(store), appliedMigrations(store), tableCounts(store)]);
    if (migrations.length === 0) throw new UsageError(`the store ${store.where} (database ${store.db}) has never been migrated: nothing to back up`);
    const target: BackupTarget =
      store.mode === 'chdb' ? { engine: 'File', path: 'clickhouse' } : { engine: 'Disk', disk: opts.disk ?? DEFAULT_SERVER_DISK, path: `${basename(dest)}-${compactStamp(createdAt)}` };
    log.info({ dest, target, database: store.db }, 'backup started');
    const r = await backupDatabase(store, target.engine === 'File' ? { engine: 'File', path: join(work, target.path) } : target);
    const after = await tableCounts(store);

    const dataDirs: string[] = [];
    for (const d of [...DATA_DIRS, ...(opts.withSecrets ? [SECRETS_DIR] : [])]) {
      const from = join(cfg.dataDir, d);
      if (!existsSync(from)) continue;
      await cp(from, join(work, 'files', d), { recursive: true, preserveTimestamps: true });
      dataDirs.push(d);
    }
    const files = await fileList(work, MANIFEST_FILE);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      chiso: chisoVersion(),
      createdAt,
      clickhouse: { mode: store.mode, version, database: store.db, target, backupId: r.id },
      migrations,
      tables: Object.keys(before).map((name) => ({ name, rows: before[name] ?? 0, rowsAfter: Math.max(before[name] ?? 0, after[name] ?? 0) })),
      files,
      dataDirs,
    };
    await writeManifest(work, manifest);
    if (staged) {
      if (destExisted) await rm(dest, { recursive: true, force: true }); // empty: checked above
      await move(work, dest);
    }
    const summary: BackupSummary = {
      dest,
      createdAt,
      chiso: manifest.chiso,
      clickhouse: manifest.clickhouse,
      migrations: migrations.length,
      tables: manifest.tables.length,
      rows: manifest.tables.reduce((s, t) => s + t.rows, 0),
      files: files.length,
      bytes: files.reduce((s, f) => s + f.bytes, 0),
      dataDirs,
      seconds: (Date.now() - started) / 1000,
    };
    log.info(summary, 'backup written');
    return summary;
  } catch (e) {
    // Never leave a folder that looks like a backup: the staging folder, or a dest this call created.
    if (staged) await rm(work, { recursive: true, force: true });
    else if (!destExisted) await rm(dest, { recursive: true, force: true });
    else await rm(join(dest, MANIFEST_FILE), { force: true });
    throw e;
  }
}

/** Files missing or changed since the backup, as short lines (at most `max`). */
async function checkFiles(src: string, m: Manifest, max = 10): Promise<string[]> {
  const bad: string[] = [];
  for (const f of m.files) {
    const full = join(src, f.path);
    if (!inside(full, src)) bad.push(`${f.path}: outside the backup folder`);
    else if (!existsSync(full)) bad.push(`${f.path}: missing`);
    else if ((await stat(full)).size !== f.bytes) bad.push(`${f.path}: ${f.bytes} bytes expected`);
    else if ((await sha256(full)) !== f.sha256) bad.push(`${f.path}: SHA-256 differs`);
    if (bad.length >= max) break;
  }
  return bad;
}

export async function restoreBackup(store: Store, cfg: Config, srcArg: string, opts: { force?: boolean }, log: Logger): Promise<RestoreSummary> {
  const started = Date.now();
  const src = resolve(srcArg);
  const m = await readManifest(src);
  if (m.clickhouse.mode !== store.mode) {
    throw new UsageError(
      `${src} is a backup of a ${m.clickhouse.mode === 'chdb' ? 'chDB (embedded)' : 'ClickHouse server'} store; this configuration's store is ${store.mode === 'chdb' ? 'chDB (CLICKHOUSE_URL unset)' : `a server (${store.where})`}: restore it with the same kind of store`,
    );
  }
  const bad = await checkFiles(src, m);
  if (bad.length > 0) throw new UsageError(`${src}: the backup's files do not match its manifest, nothing restored:\n  ${bad.join('\n  ')}`);

  const current = await tableCounts(store);
  const holding = Object.entries(current).filter(([name, n]) => n > 0 && name !== 'schema_migrations');
  const dirsHolding: string[] = [];
  for (const d of m.dataDirs) if (!(await isEmptyOrAbsent(join(cfg.dataDir, d)))) dirsHolding.push(join(cfg.dataDir, d));
  if (!opts.force && (holding.length > 0 || dirsHolding.length > 0)) {
    const what = [
      ...(holding.length > 0 ? [`the database ${store.db} holds ${holding.reduce((s, [, n]) => s + n, 0)} rows in ${holding.length} tables (${holding.map(([t]) => t).slice(0, 5).join(', ')}${holding.length > 5 ? ', ...' : ''})`] : []),
      ...dirsHolding.map((d) => `${d} holds files`),
    ];
    throw new UsageError(`restore refuses to overwrite a store that holds data: ${what.join('; ')}. Restore into an empty data directory, or add --force to replace it (its current data is lost)`);
  }

  let target: BackupTarget = m.clickhouse.target;
  if (target.engine === 'File') {
    target = { engine: 'File', path: resolve(src, target.path) };
    if (!inside(target.path, src)) throw new UsageError(`${src}: the manifest's ClickHouse path ${m.clickhouse.target.path} leaves the backup folder`);
    if (store.mode === 'chdb' && !inside(target.path, store.backupsPath ?? '')) {
      throw new InfraError(`chDB may read backups only under ${store.backupsPath}: open the store with the backup's folder as its backups path (chiso restore does)`, 'RESTORE_PATH', {}, { retriable: false });
    }
  }
  log.info({ src, target, database: store.db, force: opts.force === true }, 'restore started');
  await restoreDatabase(store, m.clickhouse.database, target);

  for (const d of m.dataDirs) {
    const to = join(cfg.dataDir, d);
    await rm(to, { recursive: true, force: true });
    await mkdir(cfg.dataDir, { recursive: true });
    await cp(join(src, 'files', d), to, { recursive: true, preserveTimestamps: true });
  }

  const found = await tableCounts(store);
  const tables: TableCheck[] = m.tables.map((t) => {
    const n = found[t.name] ?? -1;
    return { name: t.name, expected: t.rows, expectedAtMost: t.rowsAfter, found: n, ok: n >= t.rows && n <= t.rowsAfter };
  });
  const ok = tables.every((t) => t.ok);
  // Only a verified store is brought up to this version's schema (migrations never lose data).
  const migrationsApplied = ok ? await migrate(store, log.child({ component: 'migrate' })) : 0;
  const summary: RestoreSummary = {
    src,
    backupCreatedAt: m.createdAt,
    database: store.db,
    ok,
    tables,
    rows: tables.reduce((s, t) => s + Math.max(0, t.found), 0),
    dataDirs: m.dataDirs,
    migrationsApplied,
    seconds: (Date.now() - started) / 1000,
  };
  if (ok) log.info({ src, rows: summary.rows, tables: tables.length, migrationsApplied }, 'restore verified');
  else log.error({ src, mismatched: tables.filter((t) => !t.ok) }, 'restored rows differ from the manifest');
  return summary;
}
