// Migrations on a store that holds data: a store migrated only up to the indicator views is filled
// and computed, then every later migration is applied one at a time; after each, every row that was
// there is still there, column for column (a migration may add tables, columns and rows, never lose
// any). Then migrating the fully migrated, populated store again applies nothing and changes nothing.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, MIGRATIONS_DIR } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { testConfig } from '../support/env.ts';
import { columnsOf, populate, readAll } from './populated-store.ts';

const log = createLogger('warn');
/** The first migrations: enough for the fixture, the ledger and the computation. */
const BASE_THROUGH = 20;

/** A folder with the migration files up to `version`, unchanged (so with the same checksums). */
function migrationsThrough(root: string, version: number): string {
  const dir = join(root, String(version));
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(MIGRATIONS_DIR)) if (/^\d{4}_/.test(f) && Number(f.slice(0, 4)) <= version) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
  return dir;
}

describe('migrations on a populated store', () => {
  const cfg = testConfig();
  const root = mkdtempSync(join(tmpdir(), 'chiso-migrations-'));
  const later = loadMigrations().filter((m) => m.version > BASE_THROUGH);
  let store: Store;
  let base: Record<string, Record<string, unknown>[]> = {};
  let baseColumns: Record<string, string[]> = {};

  beforeAll(async () => {
    store = await openStore(cfg.clickhouse);
    expect(await migrate(store, log, migrationsThrough(root, BASE_THROUGH))).toBeGreaterThan(0);
    await populate(store, cfg.dataDir, log, { migrated: true });
    baseColumns = await columnsOf(store);
    base = await readAll(store, baseColumns);
  });
  afterAll(async () => {
    await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
    await store.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(cfg.dataDir, { recursive: true, force: true });
  });

  it('starts from a store that holds computed values, runs and state', () => {
    expect(later.length).toBeGreaterThan(0);
    expect(base.indicator_values?.length).toBeGreaterThan(100);
    expect(base.ingest_runs).toHaveLength(2);
    expect(base.dossiers?.length).toBeGreaterThan(0);
  });

  it('applies each later migration over the data and loses no row, no column, no value', async () => {
    for (const m of later) {
      expect(await migrate(store, log, migrationsThrough(root, m.version)), m.name).toBe(1);
      const now = await readAll(store, baseColumns);
      expect(Object.keys(now), `tables after ${m.name}`).toEqual(Object.keys(base));
      for (const table of Object.keys(base)) {
        if (table === 'schema_migrations') continue;
        expect(now[table], `${table} after ${m.name}`).toEqual(base[table]);
      }
    }
  });

  it('keeps the year values of the computation that ran before their table existed', async () => {
    const years = (base.indicator_values ?? []).filter((r) => r.period === 'year');
    expect(years.length).toBeGreaterThan(0);
    const [n] = await select<{ n: string }>(store, 'SELECT count() AS n FROM {db:Identifier}.indicator_year_values FINAL', { db: store.db });
    expect(Number(n?.n)).toBe(years.length);
  });

  it('migrating the populated store again applies nothing and changes nothing', async () => {
    const before = await readAll(store);
    expect(await migrate(store, log)).toBe(0);
    expect(await readAll(store)).toEqual(before);
  });
});
