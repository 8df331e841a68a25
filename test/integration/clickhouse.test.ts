// Rows round-trip through @clickhouse/client into chDB (or the configured server) and back;
// ReplacingMergeTree keeps the latest version; an insert_deduplication_token makes a re-sent batch a
// no-op; the migrations are idempotent and recorded.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadMigrations, migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { testConfig } from '../support/env.ts';

describe('ClickHouse store', () => {
  let store: Store;
  const log = createLogger('warn');

  beforeAll(async () => {
    store = await openStore(testConfig().clickhouse);
  });
  afterAll(async () => {
    await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
    await store.close();
  });

  it('applies every migration once and records it', async () => {
    const first = await migrate(store, log);
    expect(first).toBe(loadMigrations().length);
    expect(await migrate(store, log)).toBe(0);
    const tables = await select<{ name: string }>(store, 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db: store.db });
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['indicator_values', 'units', 'indicators', 'targets', 'ingest_runs', 'rejects', 'schema_migrations']));
  });

  it('round-trips rows and keeps the latest version of each key', async () => {
    const t = `${store.db}.roundtrip`;
    await store.client.command({
      query: `CREATE TABLE ${t} (record_id String, status UInt8, updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'), note String) ENGINE = ReplacingMergeTree(updated_at) ORDER BY record_id`,
    });
    await store.client.insert({
      table: t,
      format: 'JSONEachRow',
      values: [
        { record_id: 'HS-1', status: 4, updated_at: '2025-03-01 08:00:00.000', note: 'Đang xử lý' },
        { record_id: 'HS-2', status: 2, updated_at: '2025-03-01 09:00:00.000', note: 'Được tiếp nhận' },
      ],
    });
    await store.client.insert({
      table: t,
      format: 'JSONEachRow',
      values: [{ record_id: 'HS-1', status: 10, updated_at: '2025-03-02 15:30:00.000', note: 'Đã trả kết quả' }],
    });
    const rows = await select<{ record_id: string; status: number; note: string }>(store, `SELECT record_id, status, note FROM ${t} FINAL ORDER BY record_id`);
    expect(rows).toEqual([
      { record_id: 'HS-1', status: 10, note: 'Đã trả kết quả' },
      { record_id: 'HS-2', status: 2, note: 'Được tiếp nhận' },
    ]);
    const raw = await select<{ c: string }>(store, `SELECT count() AS c FROM ${t}`);
    expect(Number(raw[0]?.c)).toBeGreaterThanOrEqual(2);
  });

  it('drops a re-sent batch that carries the same insert_deduplication_token (statement SETTINGS)', async () => {
    const t = `${store.db}.dedup`;
    await store.client.command({
      query: `CREATE TABLE ${t} (event_id String, n UInt32) ENGINE = MergeTree ORDER BY event_id SETTINGS non_replicated_deduplication_window = 1000`,
    });
    const token = 'chiso.one-stop-shop.v1:0:100-101';
    for (let i = 0; i < 3; i++) {
      await store.client.command({ query: `INSERT INTO ${t} SETTINGS insert_deduplication_token = '${token}' VALUES ('a', 1), ('b', 2)` });
    }
    await store.client.command({ query: `INSERT INTO ${t} SETTINGS insert_deduplication_token = 'other' VALUES ('c', 3)` });
    const rows = await select<{ c: string; u: string }>(store, `SELECT count() AS c, uniqExact(event_id) AS u FROM ${t}`);
    expect(Number(rows[0]?.c)).toBe(3);
    expect(Number(rows[0]?.u)).toBe(3);
  });

  it('binds parameters instead of concatenating them', async () => {
    const evil = "x'); DROP DATABASE chiso; --";
    const rows = await select<{ v: string }>(store, 'SELECT {v:String} AS v', { v: evil });
    expect(rows[0]?.v).toBe(evil);
  });
  // chDB only: a ClickHouse server keeps clickhouse_settings per request. Reported as skipped there.
  it.skipIf(Boolean(inject('stackEnv').CLICKHOUSE_URL))('refuses per-call settings that chDB would keep for the whole session, and keeps later inserts', async () => {
    const t = `${store.db}.sticky`;
    await store.client.command({ query: `CREATE TABLE ${t} (id String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100` });
    await expect(
      store.client.insert({ table: t, format: 'JSONEachRow', values: [{ id: 'a' }], clickhouse_settings: { insert_deduplication_token: 'tok-1' } }),
    ).rejects.toThrow(/SETTINGS clause/);
    // The statement-level form is per query: later plain inserts are kept.
    await store.client.command({ query: `INSERT INTO ${t} SETTINGS insert_deduplication_token = 'tok-1' VALUES ('a')` });
    await store.client.insert({ table: t, format: 'JSONEachRow', values: [{ id: 'b' }] });
    await store.client.insert({ table: t, format: 'JSONEachRow', values: [{ id: 'c' }] });
    const rows = await select<{ id: string }>(store, `SELECT id FROM ${t} ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});
