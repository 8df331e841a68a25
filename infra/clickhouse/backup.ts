// ClickHouse's own BACKUP and RESTORE of the chiso database, for chDB and a server alike: the
// statements, their destinations (a File path for chDB, a configured Disk for a server: see
// infra/clickhouse/server/config.d/backups.xml) and the row counts that a restore is checked against.
// Every path and disk name goes in as a query parameter; the database name is a checked identifier.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { InfraError } from '../../lib/errors.ts';
import { select, type Store } from './store.ts';

export const backupTargetSchema = z.discriminatedUnion('engine', [
  /** A directory on the machine of the engine; chDB: under store.backupsPath. */
  z.strictObject({ engine: z.literal('File'), path: z.string().min(1) }),
  /** A path on one of the server's backup disks (allowed_disk). */
  z.strictObject({ engine: z.literal('Disk'), disk: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), path: z.string().min(1) }),
]);
export type BackupTarget = z.infer<typeof backupTargetSchema>;

/** The destination clause and its parameters. */
export function targetClause(t: BackupTarget): { sql: string; params: Record<string, string> } {
  return t.engine === 'File'
    ? { sql: 'File({backup_path:String})', params: { backup_path: t.path } }
    : { sql: 'Disk({backup_disk:String}, {backup_path:String})', params: { backup_disk: t.disk, backup_path: t.path } };
}

const onCluster = (store: Pick<Store, 'cluster'>) => (store.cluster ? ` ON CLUSTER ${store.cluster}` : '');

export function backupStatement(store: Pick<Store, 'db' | 'cluster'>, t: BackupTarget): { sql: string; params: Record<string, string> } {
  const c = targetClause(t);
  return { sql: `BACKUP DATABASE ${store.db}${onCluster(store)} TO ${c.sql} ASYNC`, params: c.params };
}

/** RESTORE of the backed-up database `fromDb` as the store's database (which must not exist). */
export function restoreStatement(store: Pick<Store, 'db' | 'cluster'>, fromDb: string, t: BackupTarget): { sql: string; params: Record<string, string> } {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(fromDb)) throw new InfraError(`invalid database name in the backup: ${fromDb}`, 'BAD_DATABASE', {}, { retriable: false });
  const c = targetClause(t);
  return { sql: `RESTORE DATABASE ${fromDb}${fromDb === store.db ? '' : ` AS ${store.db}`}${onCluster(store)} FROM ${c.sql} ASYNC`, params: c.params };
}

export interface OperationResult {
  id: string;
  status: string;
  seconds: number;
}

/** Runs an ASYNC BACKUP/RESTORE and follows it in system.backups until it ends (it can take long: no HTTP timeout holds it). */
async function runAsync(store: Store, what: 'backup' | 'restore', statement: { sql: string; params: Record<string, string> }, done: string, pollMs: number): Promise<OperationResult> {
  const started = Date.now();
  const [first] = await select<{ id: string; status: string }>(store, statement.sql, statement.params);
  if (!first?.id) throw new InfraError(`ClickHouse did not start the ${what}`, `${what.toUpperCase()}_FAILED`, {}, { retriable: false });
  for (;;) {
    const [row] = await select<{ status: string; error: string }>(store, 'SELECT toString(status) AS status, error FROM system.backups WHERE id = {id:String}', { id: first.id });
    const status = row?.status ?? first.status;
    if (status === done) return { id: first.id, status, seconds: (Date.now() - started) / 1000 };
    if (/FAILED|CANCELLED/.test(status)) {
      throw new InfraError(`the ${what} failed in ClickHouse (${status}): ${row?.error ?? ''}`, `${what.toUpperCase()}_FAILED`, { id: first.id }, { retriable: false });
    }
    await sleep(pollMs);
  }
}

export async function backupDatabase(store: Store, t: BackupTarget, pollMs = 200): Promise<OperationResult> {
  return runAsync(store, 'backup', backupStatement(store, t), 'BACKUP_CREATED', pollMs);
}

/** Drops the store's (empty or condemned) database and restores the backup's in its place. */
export async function restoreDatabase(store: Store, fromDb: string, t: BackupTarget, pollMs = 200): Promise<OperationResult> {
  await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}${onCluster(store)} SYNC` });
  return runAsync(store, 'restore', restoreStatement(store, fromDb, t), 'RESTORED', pollMs);
}

/**
 * Rows of every table of the database (views excluded), counted FINAL where the engine folds rows:
 * most of chiso's tables are ReplacingMergeTree, whose plain count() drops when a background merge folds duplicates, while the
 * FINAL count only grows as chiso writes. So counts taken before and after a BACKUP bound the backup's.
 */
export async function tableCounts(store: Store): Promise<Record<string, number>> {
  const tables = await select<{ name: string; engine: string }>(
    store,
    "SELECT name, engine FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree%' ORDER BY name",
    { db: store.db },
  );
  const out: Record<string, number> = {};
  for (const { name, engine } of tables) {
    // A plain MergeTree (the query audit) folds nothing and takes no FINAL.
    const final = /Replacing|Collapsing|Summing|Aggregating/.test(engine) ? ' FINAL' : '';
    const [row] = await select<{ n: number | string }>(store, `SELECT count() AS n FROM {db:Identifier}.{t:Identifier}${final}`, { db: store.db, t: name });
    out[name] = Number(row?.n ?? 0);
  }
  return out;
}

/** The applied migrations recorded in the store (empty on a store never migrated). */
export async function appliedMigrations(store: Store): Promise<{ version: number; name: string; checksum: string }[]> {
  const [t] = await select<{ n: number | string }>(store, 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {t:String}', { db: store.db, t: 'schema_migrations' });
  if (Number(t?.n ?? 0) === 0) return [];
  const rows = await select<{ version: number; name: string; checksum: string }>(
    store,
    'SELECT version, argMax(name, applied_at) AS name, argMax(checksum, applied_at) AS checksum FROM {db:Identifier}.schema_migrations GROUP BY version ORDER BY version',
    { db: store.db },
  );
  return rows.map((r) => ({ version: Number(r.version), name: r.name, checksum: r.checksum }));
}
