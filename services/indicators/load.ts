// Writes the catalogue, units, targets and manual values into ClickHouse. Each write inserts new
// row versions under ReplacingMergeTree(updated_at), so loading the same data again changes nothing
// that FINAL readers see.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import type { Logger } from '../lib/logger.ts';
import { CATALOGUE } from './catalogue.ts';
import { type ManualRow, parseCsv, type RowError, type TargetRow, type UnitRow } from './import.ts';

export const DATA_DIR = fileURLToPath(new URL('../../infra/data/', import.meta.url));

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

/** At start-up: the catalogue from code, the units and targets shipped under infra/data. */
export async function loadReferenceData(store: Store, log: Logger, dir = DATA_DIR): Promise<void> {
  const units = parseCsv('units', readFileSync(`${dir}units.csv`, 'utf8'));
  const targets = parseCsv('targets', readFileSync(`${dir}targets.csv`, 'utf8'));
  for (const [file, errors] of [['units.csv', units.errors], ['targets.csv', targets.errors]] as const) {
    for (const e of errors) log.warn({ file, ...e }, 'shipped reference row rejected');
  }
  const indicators = await loadCatalogue(store);
  await writeUnits(store, units.rows);
  await writeTargets(store, targets.rows);
  log.info({ indicators, units: units.rows.length, targets: targets.rows.length }, 'reference data loaded');
}
