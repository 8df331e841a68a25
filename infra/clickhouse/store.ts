// The ClickHouse store: chDB in-process on a data directory (embedded default) or a server over HTTP
// (CLICKHOUSE_URL), both through the official @clickhouse/client so that all SQL goes one way. One
// exception: insertBytes hands large pre-serialised bodies to chDB's raw insert on the same connection
// (docs/decisions.md, 7).
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import type { Config } from '../../schemas/config.ts';
import { InfraError, errorMessage } from '../../lib/errors.ts';
import { guardStickySettings } from './chdb-guard.ts';

export interface Store {
  client: ClickHouseClient;
  /** The database every chiso table lives in; SQL names tables as `${db}.name` (chDB ignores a client default database). */
  db: string;
  mode: 'chdb' | 'server';
  /** CLICKHOUSE_CLUSTER (server mode): migrate() runs the cluster form of each statement (cluster.ts). */
  cluster?: string;
  where: string;
  /**
   * chDB only: the one directory (and everything under it) that BACKUP may write to and RESTORE read
   * from (ClickHouse's backups.allowed_path, fixed when the engine starts). A server has its own
   * configuration (infra/clickhouse/server/config.d/backups.xml).
   */
  backupsPath?: string;
  /** chDB only: its raw insert, which takes a Buffer as it is (see insertBytes). */
  chdbRawInsert?: (params: { table: string; columns: string[]; format: BytesInsert['format']; settings: Record<string, string | number>; values: Buffer }) => Promise<unknown>;
  /** Closes the client; with chDB, waits until the engine has no operation in flight first. */
  close(): Promise<void>;
}

export interface BytesInsert {
  /** A table of the store's database, unqualified. */
  table: string;
  columns: readonly string[];
  format: 'JSONCompactEachRow' | 'JSONEachRow';
  settings: Readonly<Record<string, string | number>>;
  body: Buffer;
}

/** Where a chDB store's engine lets BACKUP write when not told otherwise: `backups` beside the chdb directory (CHISO_DATA_DIR/backups). */
export function defaultBackupsPath(cfg: Config['clickhouse']): string {
  return join(dirname(resolve(cfg.chdbPath)), 'backups');
}

export async function openStore(cfg: Config['clickhouse'], opts: { database?: string; backupsPath?: string } = {}): Promise<Store> {
  const db = opts.database ?? cfg.database;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(db)) throw new InfraError(`invalid database name ${db}`, 'BAD_DATABASE', {}, { retriable: false });
  if (cfg.mode === 'server') {
    const client = createClient({
      url: cfg.url,
      username: cfg.user,
      password: cfg.password,
      request_timeout: 300_000,
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });
    await assertReachable(client, cfg.url ?? '');
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}${cfg.cluster ? ` ON CLUSTER ${cfg.cluster}` : ''}` });
    return { client, db, mode: 'server', where: cfg.url ?? '', ...(cfg.cluster ? { cluster: cfg.cluster } : {}), close: () => client.close() };
  }
  mkdirSync(cfg.chdbPath, { recursive: true });
  // Imported lazily: a server deployment never loads the native addon.
  const { createChdbConnection } = await import('chdb/connection');
  const chdb = await import('chdb');
  const backupsPath = resolve(opts.backupsPath ?? defaultBackupsPath(cfg));
  let connection;
  let session: InstanceType<typeof chdb.Session> | undefined;
  try {
    // The engine takes server configuration only when it starts: the first session on the directory
    // gives it backups.allowed_path, and the client's connection below joins that same engine.
    session = new chdb.Session(cfg.chdbPath, { connectionArgs: [`--backups.allowed_path=${backupsPath}`] });
    connection = createChdbConnection({ path: cfg.chdbPath });
  } catch (e) {
    session?.close();
    throw new InfraError(
      `cannot open the chDB store at ${cfg.chdbPath}: ${errorMessage(e)}. Only one process may open a chDB directory: is 'chiso up' running with this CHISO_DATA_DIR?`,
      'CHDB_OPEN_FAILED',
      { path: cfg.chdbPath },
      { cause: e, retriable: false },
    );
  }
  // chdb types the Connection against its own copy of client-common; the shapes are the same.
  type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];
  const client = createClient({ connection: guardStickySettings(connection) as unknown as ClientConnection, clickhouse_settings: { date_time_input_format: 'best_effort' } });
  await assertReachable(client, cfg.chdbPath);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  return {
    client,
    db,
    mode: 'chdb',
    where: cfg.chdbPath,
    backupsPath,
    chdbRawInsert: (params) => connection.chdb.rawInsert(params),
    close: async () => {
      await chdb.drainPending();
      await client.close();
      session?.close();
      await chdb.drainPending();
    },
  };
}

/**
 * INSERT of rows already serialised as bytes. chDB gets the Buffer as it is (no copy through a JS
 * string: the sink's bodies are tens of MB), a server gets it streamed over HTTP. The settings go in
 * the statement's own SETTINGS clause, never in the session (see chdb-guard.ts).
 */
export async function insertBytes(store: Store, i: BytesInsert): Promise<void> {
  if (store.chdbRawInsert !== undefined) {
    await store.chdbRawInsert({ table: `${store.db}.${i.table}`, columns: [...i.columns], format: i.format, settings: { ...i.settings }, values: i.body });
    return;
  }
  const r = await store.client.exec({ query: insertStatement(store.db, i), values: Readable.from([i.body]) });
  // Read the (empty) answer to its end, so that an HTTP connection goes back to the pool.
  await new Promise<void>((resolve, reject) => r.stream.on('end', resolve).on('close', resolve).on('error', reject).resume());
}

/** INSERT INTO db.table (columns) SETTINGS ... FORMAT f, the settings' strings quoted. */
export function insertStatement(db: string, i: Omit<BytesInsert, 'body'>): string {
  const settings = Object.entries(i.settings).map(([k, v]) => `${k} = ${typeof v === 'number' ? v : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`}`);
  return `INSERT INTO ${db}.${i.table} (${i.columns.join(', ')})${settings.length > 0 ? ` SETTINGS ${settings.join(', ')}` : ''} FORMAT ${i.format}`;
}

async function assertReachable(client: ClickHouseClient, where: string): Promise<void> {
  const r = await client.ping();
  if (!r.success) throw new InfraError(`ClickHouse at ${where} did not answer: ${r.error.message}`, 'CLICKHOUSE_UNREACHABLE', { where }, { cause: r.error });
}

export async function serverVersion(store: Store): Promise<string> {
  const rs = await store.client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const [row] = await rs.json<{ v: string }>();
  return row?.v ?? 'unknown';
}

/** Runs a SELECT with bound parameters and returns its rows. */
export async function select<T>(store: Store, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await store.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}
