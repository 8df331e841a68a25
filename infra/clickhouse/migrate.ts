// Versioned, idempotent ClickHouse migrations: infra/clickhouse/migrations/NNNN_name.sql, statements
// separated by lines ending in ';', `{db}` standing for the database. Each applied version is
// recorded in {db}.schema_migrations with its checksum; an applied file that changed is an error.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError } from '../../services/lib/errors.ts';
import type { Logger } from '../../services/lib/logger.ts';
import { clusterSchema, toCluster } from './cluster.ts';
import { select, type Store } from './store.ts';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const statements = text
        .split(/;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter((s) => s.length > 0);
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
        statements,
      };
    });
}

/** The statements to run for one migration statement: itself, or its cluster form (store.cluster, cluster.ts). */
export function statementsFor(store: Pick<Store, 'cluster'>, dir = MIGRATIONS_DIR): (statement: string) => string[] {
  if (store.cluster === undefined) return (s) => [s];
  const schema = clusterSchema(store.cluster, loadMigrations(dir).flatMap((m) => m.statements));
  return (s) => toCluster(s, schema);
}

export async function migrate(store: Store, log: Logger, dir = MIGRATIONS_DIR): Promise<number> {
  const { client, db } = store;
  const forStore = statementsFor(store, dir);
  for (const query of forStore(
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, checksum String, applied_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
  )) {
    await client.command({ query });
  }
  const applied = new Map(
    (await select<{ version: number; checksum: string }>(store, `SELECT version, argMax(checksum, applied_at) AS checksum FROM ${db}.schema_migrations GROUP BY version`)).map(
      (r) => [Number(r.version), r.checksum],
    ),
  );
  let count = 0;
  for (const m of loadMigrations(dir)) {
    const done = applied.get(m.version);
    if (done !== undefined) {
      if (done !== m.checksum) {
        throw new InfraError(
          `migration ${m.name} was changed after it was applied to ${db} (checksum ${done} -> ${m.checksum}): add a new migration instead of editing an applied one`,
          'MIGRATION_CHANGED',
          { version: m.version },
          { retriable: false },
        );
      }
      continue;
    }
    for (const statement of m.statements) {
      for (const query of forStore(statement)) await client.command({ query: query.replaceAll('{db}', db) });
    }
    await client.insert({ table: `${db}.schema_migrations`, values: [{ version: m.version, name: m.name, checksum: m.checksum }], format: 'JSONEachRow' });
    log.info({ migration: m.name, database: db }, 'migration applied');
    count++;
  }
  return count;
}

/** The migrations not yet applied to the store's database (names, in order); throws when the store does not answer. */
export async function pendingMigrations(store: Store, dir = MIGRATIONS_DIR): Promise<string[]> {
  const { db } = store;
  const [table] = await select<{ n: number | string }>(store, 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {t:String}', { db, t: 'schema_migrations' });
  const applied = Number(table?.n ?? 0) > 0 ? new Set((await select<{ version: number }>(store, `SELECT DISTINCT version FROM ${db}.schema_migrations`)).map((r) => Number(r.version))) : new Set<number>();
  return loadMigrations(dir)
    .filter((m) => !applied.has(m.version))
    .map((m) => m.name);
}
