// A store that holds something in every kind of table, for the backup and migration tests: the
// indicator fixture with every indicator computed over it, an ingestion ledger with rejects, raw
// events, and a few files in the data directory; plus a full read of every table to compare with.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import { computePeriods } from '../../indicators/compute.ts';
import { planPeriods } from '../../indicators/periods.ts';
import type { Logger } from '../../lib/logger.ts';
import { insertFixture } from './indicators-fixture.ts';

export const DAYS = ['2025-03-01', '2025-03-02', '2025-03-03'];

export const RUNS = [
  { run_id: 'run-bk-0001', source: 'one-stop-shop', entity: 'dossiers', origin: '/data/mc/2025-03-01.ndjson', started_at: '2025-03-01 02:00:00.000', finished_at: '2025-03-01 02:01:00.000', status: 'failed', read: 10, accepted: 8, rejected: 2, error: 'bad file' },
  { run_id: 'run-bk-0002', source: 'document-management', entity: 'documents', origin: '/data/vb/2025-03-02.csv', started_at: '2025-03-02 02:00:00.000', finished_at: '2025-03-02 02:00:30.000', status: 'succeeded', read: 5, accepted: 5, rejected: 0 },
];

/** Files the data directory keeps beside the store (relative path -> content). */
export const DATA_FILES: Record<string, string> = {
  'checkpoints/files/0123abcd.json': '{"path":"/data/mc/2025-03-01.ndjson","runId":"run-bk-0001"}\n',
  'archive/sha256/ab/abcdef.ndjson': '{"MaHoSo":"HS-1"}\n{"MaHoSo":"HS-2"}\n',
};

/** Fills a store (migrated fully, unless `migrated` says it already is, to some version) and the data directory. */
export async function populate(store: Store, dataDir: string, log: Logger, opts: { migrated?: boolean } = {}): Promise<void> {
  if (!opts.migrated) await migrate(store, log);
  await insertFixture(store);
  const put = (table: string, values: object[]) => store.client.insert({ table: `${store.db}.${table}`, values, format: 'JSONEachRow' });
  await put('ingest_runs', RUNS);
  await put('rejects', [
    { run_id: 'run-bk-0001', source: 'one-stop-shop', entity: 'dossiers', location: 'line 3', field: 'received_at', reason: 'not a date', original: '{"MaHoSo":"HS-3"}' },
    { run_id: 'run-bk-0001', source: 'one-stop-shop', entity: 'dossiers', location: 'line 7', field: 'status', reason: 'unknown status 42', original: '{"MaHoSo":"HS-7"}' },
  ]);
  await put(
    'raw_events',
    ['HS-1', 'HS-2'].map((id, i) => ({ event_id: `ev-${id}`, source: 'one-stop-shop', entity: 'dossiers', record_id: id, unit_code: 'X0101', updated_at: '2025-03-01 08:00:00', run_id: 'run-bk-0001', origin: '/data/mc/2025-03-01.ndjson', payload: `{"MaHoSo":"${id}"}`, topic: 'chiso.one-stop-shop.dossiers', partition: 0, offset: i })),
  );
  const plan = planPeriods(DAYS);
  await computePeriods(store, plan.days, log);
  await computePeriods(store, plan.longer, log);
  for (const [rel, text] of Object.entries(DATA_FILES)) {
    mkdirSync(join(dataDir, rel, '..'), { recursive: true });
    writeFileSync(join(dataDir, rel), text);
  }
}

/**
 * Every row of every table of the store (FINAL, in a stable order), by table; with `columns`, only
 * those tables and columns (what a store held before a migration added any).
 */
export async function readAll(store: Store, columns?: Record<string, string[]>): Promise<Record<string, Record<string, unknown>[]>> {
  const tables = await select<{ name: string; engine: string }>(store, "SELECT name, engine FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree%' ORDER BY name", { db: store.db });
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const { name, engine } of tables) {
    const final = /Replacing|Collapsing|Summing|Aggregating/.test(engine) ? ' FINAL' : '';
    if (columns && !(name in columns)) continue;
    const cols = columns?.[name] ?? ['*'];
    const list = cols.map((c, i) => (c === '*' ? '*' : `{c${i}:Identifier}`)).join(', ');
    const params = Object.fromEntries(cols.map((c, i) => [`c${i}`, c]));
    out[name] = await select(store, `SELECT ${list} FROM {db:Identifier}.{t:Identifier}${final} ORDER BY ALL`, { ...params, db: store.db, t: name });
  }
  return out;
}

/** The columns of every table of the store. */
export async function columnsOf(store: Store): Promise<Record<string, string[]>> {
  const rows = await select<{ table: string; name: string }>(store, 'SELECT table, name FROM system.columns WHERE database = {db:String} ORDER BY table, position', { db: store.db });
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.table] ??= []).push(r.name);
  return out;
}
