// Versioned, idempotent ClickHouse migrations: infra/clickhouse/migrations/NNNN_name.sql, statements
// separated by lines ending in ';', `{db}` standing for the database. Each applied version is
// recorded in {db}.schema_migrations with its checksum; an applied file that changed is an error.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, InfraError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
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

/** The ledger's tables, created before any migration (their cluster form too). */
export function ledgerStatements(db: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, checksum String, applied_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
    // One row per failed attempt: which statement failed and why. A pending migration with a failure
    // row is the state `chiso migrate` left after a failure; the next run starts it again from its
    // first statement (every statement is idempotent).
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migration_failures (version UInt32, name String, checksum String, statement_index UInt32, statement String, error String, failed_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)) ENGINE = MergeTree() ORDER BY (version, failed_at)`,
  ];
}

/** A migration statement failed: the store keeps every migration before it, this one stays pending. */
export class MigrationError extends InfraError {
  constructor(
    readonly migration: Migration,
    readonly statementIndex: number,
    readonly statement: string,
    readonly error: string,
    db: string,
  ) {
    const head = statement.replace(/\s+/g, ' ').slice(0, 300);
    super(
      `migration ${migration.name} failed at statement ${statementIndex + 1} of ${migration.statements.length}: ${head}\n  error: ${error}\n` +
        `The migrations before it are applied; this one is recorded as failed in ${db}.schema_migration_failures and stays pending. ` +
        'Fix the cause, then run `chiso migrate` again: it starts this migration again from its first statement (every statement is idempotent).',
      'MIGRATION_FAILED',
      { version: migration.version, statementIndex },
      { retriable: false },
    );
  }
}

export interface MigrateResult {
  /** The migrations this run applied, in order. */
  applied: string[];
  /** How many were applied before this run. */
  alreadyApplied: number;
}

/** Applies the migrations not yet in the ledger, in order; throws MigrationError at the first statement that fails. */
export async function runMigrations(store: Store, log: Logger, opts: { dir?: string; onApplied?: (name: string) => void } = {}): Promise<MigrateResult> {
  const dir = opts.dir ?? MIGRATIONS_DIR;
  const { client, db } = store;
  const forStore = statementsFor(store, dir);
  for (const statement of ledgerStatements(db)) for (const query of forStore(statement)) await client.command({ query });
  const applied = new Map(
    (await select<{ version: number; checksum: string }>(store, `SELECT version, argMax(checksum, applied_at) AS checksum FROM ${db}.schema_migrations GROUP BY version`)).map(
      (r) => [Number(r.version), r.checksum],
    ),
  );
  const ran: string[] = [];
  let alreadyApplied = 0;
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
      alreadyApplied++;
      continue;
    }
    for (const [i, statement] of m.statements.entries()) {
      try {
        for (const query of forStore(statement)) await client.command({ query: query.replaceAll('{db}', db) });
      } catch (e) {
        const error = errorMessage(e);
        await client
          .insert({ table: `${db}.schema_migration_failures`, values: [{ version: m.version, name: m.name, checksum: m.checksum, statement_index: i, statement, error }], format: 'JSONEachRow' })
          .catch((recordError: unknown) => log.error({ err: recordError, migration: m.name }, 'could not record the failed migration'));
        log.error({ migration: m.name, statement: i + 1, err: e }, 'migration failed');
        throw new MigrationError(m, i, statement, error, db);
      }
    }
    await client.insert({ table: `${db}.schema_migrations`, values: [{ version: m.version, name: m.name, checksum: m.checksum }], format: 'JSONEachRow' });
    log.info({ migration: m.name, database: db }, 'migration applied');
    ran.push(m.name);
    opts.onApplied?.(m.name);
  }
  return { applied: ran, alreadyApplied };
}

/** runMigrations, answering how many ran. */
export async function migrate(store: Store, log: Logger, dir = MIGRATIONS_DIR): Promise<number> {
  return (await runMigrations(store, log, { dir })).applied.length;
}

async function tableExists(store: Store, name: string): Promise<boolean> {
  const [row] = await select<{ n: number | string }>(store, 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {t:String}', { db: store.db, t: name });
  return Number(row?.n ?? 0) > 0;
}

/** The migrations not yet applied to the store's database (names, in order); throws when the store does not answer. */
export async function pendingMigrations(store: Store, dir = MIGRATIONS_DIR): Promise<string[]> {
  return (await migrationStatus(store, dir)).pending.map((p) => p.name);
}

export interface MigrationStatus {
  applied: { version: number; name: string; appliedAt: string }[];
  /** Not applied yet, in order; `lastFailure` when a `chiso migrate` tried it and failed. */
  pending: { version: number; name: string; lastFailure?: { statement: number; error: string; failedAt: string } }[];
}

/** What the ledger says of each migration: applied (when), or pending (with its last failure). */
export async function migrationStatus(store: Store, dir = MIGRATIONS_DIR): Promise<MigrationStatus> {
  const { db } = store;
  const applied = (await tableExists(store, 'schema_migrations'))
    ? new Map(
        (await select<{ version: number; first_applied_at: string }>(store, `SELECT version, min(applied_at) AS first_applied_at FROM ${db}.schema_migrations GROUP BY version`)).map((r) => [
          Number(r.version),
          r.first_applied_at,
        ]),
      )
    : new Map<number, string>();
  const failures = (await tableExists(store, 'schema_migration_failures'))
    ? new Map(
        (
          await select<{ version: number; last_statement: number; last_error: string; last_failed_at: string }>(
            store,
            `SELECT version, argMax(statement_index, failed_at) AS last_statement, argMax(error, failed_at) AS last_error, max(failed_at) AS last_failed_at FROM ${db}.schema_migration_failures GROUP BY version`,
          )
        ).map((r) => [Number(r.version), { statement: Number(r.last_statement) + 1, error: r.last_error, failedAt: r.last_failed_at }]),
      )
    : new Map<number, { statement: number; error: string; failedAt: string }>();
  const out: MigrationStatus = { applied: [], pending: [] };
  for (const m of loadMigrations(dir)) {
    const at = applied.get(m.version);
    if (at !== undefined) {
      out.applied.push({ version: m.version, name: m.name, appliedAt: at });
    } else {
      const failure = failures.get(m.version);
      out.pending.push({ version: m.version, name: m.name, ...(failure ? { lastFailure: failure } : {}) });
    }
  }
  return out;
}
