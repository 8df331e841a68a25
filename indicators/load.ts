// Writes the catalogue, units, targets and manual values into ClickHouse. Each write inserts new
// row versions under ReplacingMergeTree(updated_at), so loading the same data again changes nothing
// that FINAL readers see. Units and targets are the operator's: the demo ones shipped under
// infra/data go only into an empty table, with the samples (`chiso start`), never over imported ones.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { select, type Store } from '../infra/clickhouse/store.ts';
import type { Logger } from '../lib/logger.ts';
import { CATALOGUE } from './catalogue.ts';
import { type ManualRow, parseCsv, type RowError, type TargetRow, type UnitRow } from './import.ts';

export const DATA_DIR = fileURLToPath(new URL('../infra/data/', import.meta.url));

export async function loadCatalogue(store: Store): Promise<number> {
  await store.client.insert({ table: `${store.db}.indicators`, values: CATALOGUE.map((i) => ({ ...i })), format: 'JSONEachRow' });
  return CATALOGUE.length;
}

export async function writeUnits(store: Store, rows: readonly UnitRow[]): Promise<number> {
  if (rows.length > 0) await store.client.insert({ table: `${store.db}.units`, values: [...rows], format: 'JSONEachRow' });
  return rows.length;
}

export async function writeTargets(store: Store, rows: readonly TargetRow[]): Promise<number> {
  if (rows.length > 0) await store.client.insert({ table: `${store.db}.targets`, values: [...rows], format: 'JSONEachRow' });
  return rows.length;
}

/**
 * Manual values go straight into the time series (numerator = value, denominator = 100, so that
 * value = numerator / denominator x 100 holds as for computed rows). A row naming a unit that the
 * units table does not know is returned as an error, not written.
 */
export async function writeManual(store: Store, rows: readonly (ManualRow & { line?: number })[]): Promise<{ written: number; errors: RowError[] }> {
  const known = new Set((await select<{ code: string }>(store, `SELECT DISTINCT code FROM ${store.db}.units FINAL`)).map((u) => u.code));
  const errors: RowError[] = [];
  const values = [];
  for (const [i, r] of rows.entries()) {
    if (!known.has(r.unit_code)) {
      errors.push({ line: r.line ?? i + 2, field: 'unit_code', reason: `unknown unit ${r.unit_code} (import it with import-units first)` });
      continue;
    }
    values.push({ indicator: r.indicator, unit_code: r.unit_code, period: r.period, period_start: r.period_start, numerator: r.value, denominator: 100, value: r.value, computed_at: new Date().toISOString() });
  }
  if (values.length > 0) await store.client.insert({ table: `${store.db}.indicator_values`, values, format: 'JSONEachRow' });
  return { written: values.length, errors };
}

/** Whether a table holds no row at all (any version): a demo row may go there. */
async function isEmpty(store: Store, table: 'units' | 'targets'): Promise<boolean> {
  const [r] = await select<{ n: string }>(store, `SELECT toString(count()) AS n FROM ${store.db}.${table}`);
  return r?.n === '0';
}

/** Units, else targets, written only when their table is empty: what `chiso start` does with the demo ones. */
export async function writeIntoEmpty(store: Store, req: { kind: 'units'; rows: readonly UnitRow[] } | { kind: 'targets'; rows: readonly TargetRow[] }): Promise<{ written: number; kept: boolean }> {
  if (!(await isEmpty(store, req.kind))) return { written: 0, kept: true };
  return { written: req.kind === 'units' ? await writeUnits(store, req.rows) : await writeTargets(store, req.rows), kept: false };
}

/** The demo units and targets shipped under infra/data (parsed and checked; bad rows logged). */
export function demoReferenceRows(log: Logger, dir = DATA_DIR): { units: UnitRow[]; targets: TargetRow[] } {
  const units = parseCsv('units', readFileSync(`${dir}units.csv`, 'utf8'));
  const targets = parseCsv('targets', readFileSync(`${dir}targets.csv`, 'utf8'));
  for (const [file, errors] of [['units.csv', units.errors], ['targets.csv', targets.errors]] as const) {
    for (const e of errors) log.warn({ file, ...e }, 'shipped reference row rejected');
  }
  return { units: units.rows, targets: targets.rows };
}

/**
 * The catalogue, and the demo units and targets into an empty store (each table left as it is when
 * it holds any row). For tests and benches that run on the demo units; a worker loads the catalogue only.
 */
export async function loadReferenceData(store: Store, log: Logger, dir = DATA_DIR): Promise<void> {
  const demo = demoReferenceRows(log, dir);
  const indicators = await loadCatalogue(store);
  const units = await writeIntoEmpty(store, { kind: 'units', rows: demo.units });
  const targets = await writeIntoEmpty(store, { kind: 'targets', rows: demo.targets });
  log.info({ indicators, units: units.written, targets: targets.written }, 'reference data loaded');
}
