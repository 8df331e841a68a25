// The ClickHouse store: chDB in-process on a data directory (embedded default) or a server over HTTP
// (CLICKHOUSE_URL), both through the official @clickhouse/client so that all SQL goes one way.
import { mkdirSync } from 'node:fs';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import type { Config } from '../../schemas/config.ts';
import { InfraError } from '../../services/lib/errors.ts';
import { guardStickySettings } from './chdb-guard.ts';

export interface Store {
  client: ClickHouseClient;
  /** The database every chiso table lives in; SQL names tables as `${db}.name` (chDB ignores a client default database). */
  db: string;
  mode: 'chdb' | 'server';
  where: string;
  /** Closes the client; with chDB, waits until the engine has no operation in flight first. */
  close(): Promise<void>;
}

export async function openStore(cfg: Config['clickhouse'], opts: { database?: string } = {}): Promise<Store> {
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
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    return { client, db, mode: 'server', where: cfg.url ?? '', close: () => client.close() };
  }
  mkdirSync(cfg.chdbPath, { recursive: true });
  // Imported lazily: a server deployment never loads the native addon.
  const { createChdbConnection } = await import('chdb/connection');
  const chdb = await import('chdb');
  let connection;
  try {
    connection = createChdbConnection({ path: cfg.chdbPath });
  } catch (e) {
    throw new InfraError(
      `cannot open the chDB store at ${cfg.chdbPath}: ${(e as Error).message}. Only one process may open a chDB directory: is 'chiso up' running with this CHISO_DATA_DIR?`,
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
    close: async () => {
      await chdb.drainPending();
      await client.close();
      await chdb.drainPending();
    },
  };
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
