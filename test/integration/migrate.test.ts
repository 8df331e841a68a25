// `chiso migrate` as an operator runs it, on a chDB store of its own: a fresh store is behind
// (--check exits 3 and lists every migration), one run applies each once and a second applies
// nothing; a role refuses to start on a store that is behind and says to run `chiso migrate`. In
// process, on another store: a failing statement is recorded and named, and the next run (the cause
// fixed) continues; a populated store from before the ledger migrates without losing a row.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, MIGRATIONS_DIR, MigrationError, migrationStatus, pendingMigrations, runMigrations } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { testConfig } from '../support/env.ts';
import { freePortRun } from '../support/ports.ts';

const BIN = fileURLToPath(new URL('../../bin/chiso.js', import.meta.url));
const log = createLogger('silent');
const ALL = loadMigrations().map((m) => m.name);

function chiso(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, CLICKHOUSE_URL: '', CLICKHOUSE_CLUSTER: '', ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A migrations directory with the project's migrations up to `lastVersion` (all by default) and `extra` files. */
function migrationsDir(lastVersion = Infinity, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'chiso-migrations-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) if (/^\d{4}_.*\.sql$/.test(f) && Number(f.slice(0, 4)) <= lastVersion) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('chiso migrate (the command)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiso-migrate-cli-'));
  const env = { CHISO_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: 'chiso_migrate_cli', CHISO_LOG_LEVEL: 'warn' };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finds a fresh store behind, applies every migration once, then nothing', () => {
    const before = chiso(['migrate', '--check', '--json'], env);
    expect(before.code, before.err).toBe(3);
    expect((JSON.parse(before.out) as { pending: { name: string }[] }).pending.map((p) => p.name)).toEqual(ALL);
    const human = chiso(['migrate', '--check'], env);
    expect(human.code).toBe(3);
    for (const name of ALL) expect(human.out).toContain(name);
    expect(human.out).toContain('chiso migrate');

    const first = chiso(['migrate'], env);
    expect(first.code, first.err).toBe(0);
    for (const name of ALL) expect(first.out).toContain(`applied ${name}`);

    const again = chiso(['migrate', '--json'], env);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ database: 'chiso_migrate_cli', applied: [], alreadyApplied: ALL.length });

    const after = chiso(['migrate', '--check', '--json'], env);
    expect(after.code, after.err).toBe(0);
    expect(JSON.parse(after.out)).toMatchObject({ applied: ALL, pending: [] });
  });

  it('a role refuses a store that is behind, naming the command to run', async () => {
    const port = await freePortRun(1);
    const r = chiso(['serve'], { ...env, CLICKHOUSE_DATABASE: 'chiso_migrate_behind', CHISO_ROLES: 'api', CHISO_API_PORT: String(port) });
    expect(r.code).toBe(1);
    expect(r.err).toContain('migration(s) pending');
    expect(r.err).toContain('Run `chiso migrate`');
  });
});

describe('migrations in process', () => {
  let store: Store;
  const dirs: string[] = [];
  const dir = (...a: Parameters<typeof migrationsDir>) => {
    const d = migrationsDir(...a);
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    store = await openStore(testConfig().clickhouse);
  });
  afterAll(async () => {
    if (store) {
      await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
      await store.close();
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const count = async (table: string, final = true) => Number((await select<{ n: string }>(store, `SELECT count() AS n FROM ${store.db}.${table}${final ? ' FINAL' : ''}`))[0]?.n ?? -1);

  it('a populated store from before the ledger migrates without losing a row', async () => {
    // The store of an older release: the migrations up to 0030, no ledger, rows in it.
    const old = dir(30);
    await runMigrations(store, log, { dir: old });
    await store.client.command({ query: `DROP TABLE ${store.db}.schema_migrations` });
    await store.client.command({ query: `DROP TABLE ${store.db}.schema_migration_failures` });
    await store.client.insert({
      table: `${store.db}.units`,
      values: [
        { code: 'T01', name: 'Tỉnh Thử', level: 'province', parent_code: '', valid_from: '2020-01-01' },
        { code: 'X0101', name: 'Xã Một', level: 'commune', parent_code: 'T01', valid_from: '2020-01-01' },
      ],
      format: 'JSONEachRow',
    });
    const values = ['day', 'month', 'year'].flatMap((period, i) =>
      ['T01', 'X0101'].map((unit) => ({ indicator: 'ho_so_dung_han', unit_code: unit, period, period_start: '2026-01-01', numerator: 9 + i, denominator: 10, value: (9 + i) / 10, computed_at: '2026-02-01 00:00:00.000' })),
    );
    await store.client.insert({ table: `${store.db}.indicator_values`, values, format: 'JSONEachRow' });
    expect(await pendingMigrations(store)).toEqual(ALL);

    const r = await runMigrations(store, log);
    expect(r).toEqual({ applied: ALL, alreadyApplied: 0 });
    expect(await count('units')).toBe(2);
    expect(await count('indicator_values')).toBe(6);
    // 0040 carried the year rows written before it into its table.
    expect(await count('indicator_year_values')).toBe(2);
    expect(await pendingMigrations(store)).toEqual([]);
    expect(await runMigrations(store, log)).toEqual({ applied: [], alreadyApplied: ALL.length });
    expect(await count('indicator_values')).toBe(6);

    // An audit row of the SQL endpoint, from today: the 90-day TTL (0060) keeps it.
    await store.client.insert({ table: `${store.db}.query_audit`, values: [{ client: 'ops', sql_sha256: 'ab', sql_bytes: 8, outcome: 'answered', reason: '', duration_ms: 3, rows: 1, result_bytes: 10 }], format: 'JSONEachRow' });

    // The ledger lost once more: every migration, the latest included, runs again over the data.
    await store.client.command({ query: `DROP TABLE ${store.db}.schema_migrations` });
    expect(await runMigrations(store, log)).toEqual({ applied: ALL, alreadyApplied: 0 });
    expect([await count('units'), await count('indicator_values'), await count('indicator_year_values')]).toEqual([2, 6, 2]);
    // MODIFY TTL set again: still the one TTL, and today's audit row is there.
    const [audit] = await select<{ q: string }>(store, 'SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = {name:String}', { db: store.db, name: 'query_audit' });
    expect(audit?.q.match(/\bTTL\b/g)).toHaveLength(1);
    expect(audit?.q).toMatch(/TTL toDateTime\(at\) \+ toIntervalDay\(90\)/);
    expect(await count('query_audit', false)).toBe(1);
  });

  it('records a failed statement, names it, and continues on the next run', async () => {
    const good = `CREATE TABLE IF NOT EXISTS {db}.probe (k UInt32) ENGINE = MergeTree() ORDER BY k;\n`;
    const broken = dir(Infinity, { '0900_probe.sql': `${good}\nINSERT INTO {db}.probe SELECT number FROM {db}.no_such_table;\n` });
    let failure: unknown;
    await runMigrations(store, log, { dir: broken }).catch((e: unknown) => (failure = e));
    expect(failure).toBeInstanceOf(MigrationError);
    const e = failure as MigrationError;
    expect(e.migration.name).toBe('0900_probe');
    expect(e.statementIndex).toBe(1);
    expect(e.message).toContain('failed at statement 2 of 2: INSERT INTO {db}.probe SELECT number FROM {db}.no_such_table');
    expect(e.message).toContain('no_such_table');
    expect(e.message).toContain('chiso migrate');

    const status = await migrationStatus(store, broken);
    expect(status.applied.map((a) => a.name)).toEqual(ALL);
    expect(status.pending).toHaveLength(1);
    expect(status.pending[0]).toMatchObject({ name: '0900_probe', lastFailure: { statement: 2 } });
    expect(status.pending[0]?.lastFailure?.error).toContain('no_such_table');

    // The cause fixed (here: the table it reads exists), the next run applies it from its first statement.
    await store.client.command({ query: `CREATE TABLE ${store.db}.no_such_table (number UInt32) ENGINE = MergeTree() ORDER BY number` });
    await store.client.insert({ table: `${store.db}.no_such_table`, values: [{ number: 7 }], format: 'JSONEachRow' });
    expect(await runMigrations(store, log, { dir: broken })).toEqual({ applied: ['0900_probe'], alreadyApplied: ALL.length });
    expect(await count('probe', false)).toBe(1);
    expect((await migrationStatus(store, broken)).pending).toEqual([]);
  });
});
