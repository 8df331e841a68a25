// Reference changes (docs/corrections.md): what an import of units changes in the computed values.
// A unit version new or different (parent, validity) from the stored one with the same (code,
// valid_from) changes the roll-up of every day it is or was valid on: those days are marked touched
// (entity 'units') so that the next nightly run recomputes them, for every unit. Only days already
// computed are marked: a day never computed holds no value to correct, and the nightly run computes
// each day that records touch anyway. Records of a unit unknown until now were counted on their days
// by the sink, so those days are computed and the import brings their values in.
//
// Targets and the service catalogue need nothing here: v_scorecard reads the targets at query time,
// and catalogue entries come through the sink, whose rule (counted-days.ts) touches their validity.
import { randomBytes } from 'node:crypto';
import { select, type Store } from '../infra/clickhouse/store.ts';
import { hcmToday } from './periods.ts';
import type { UnitRow } from './import.ts';

interface StoredUnit {
  code: string;
  parent_code: string;
  valid_from: string;
  valid_to: string | null;
}

const same = (a: StoredUnit, b: StoredUnit) => a.parent_code === b.parent_code && a.valid_to === b.valid_to;

/** The imported units whose versions change the roll-up, with the day range each change covers. */
export async function changedUnitRanges(store: Store, rows: readonly UnitRow[], today = hcmToday()): Promise<{ code: string; from: string; to: string }[]> {
  if (rows.length === 0) return [];
  const stored = await select<StoredUnit>(
    store,
    `SELECT code, parent_code, toString(valid_from) AS valid_from, if(valid_to IS NULL, NULL, toString(valid_to)) AS valid_to
     FROM ${store.db}.units FINAL WHERE code IN {codes:Array(String)}`,
    { codes: [...new Set(rows.map((r) => r.code))] },
  );
  const byKey = new Map(stored.map((u) => [`${u.code}|${u.valid_from}`, u]));
  const end = (to: string | null) => (to === null || to > today ? today : to);
  const out: { code: string; from: string; to: string }[] = [];
  for (const r of rows) {
    const old = byKey.get(`${r.code}|${r.valid_from}`);
    if (old !== undefined && same(old, r)) continue;
    const to = [end(r.valid_to), ...(old ? [end(old.valid_to)] : [])].sort().at(-1) ?? today;
    if (r.valid_from <= to) out.push({ code: r.code, from: r.valid_from, to });
  }
  return out;
}

/**
 * Writes the units with `write`, then marks touched the computed days their changes cover
 * (touched_days, entity 'units', touched after the write, so that a nightly run that sees the
 * marks sees the new versions); returns how many days the next nightly run will recompute for them.
 */
export async function writeUnitsTouching(store: Store, rows: readonly UnitRow[], write: () => Promise<unknown>, today = hcmToday()): Promise<number> {
  const ranges = await changedUnitRanges(store, rows, today);
  await write();
  if (ranges.length === 0) return 0;
  const touched = await select<{ unit_code: string; day: string }>(
    store,
    `SELECT x.code AS unit_code, toString(d.day) AS day
     FROM (SELECT r.1 AS code, r.2 AS dfrom, r.3 AS dto FROM (SELECT arrayJoin(arrayZip({codes:Array(String)}, {froms:Array(Date)}, {tos:Array(Date)})) AS r)) AS x
     CROSS JOIN (SELECT DISTINCT period_start AS day FROM ${store.db}.indicator_values WHERE period = 'day') AS d
     WHERE d.day BETWEEN x.dfrom AND x.dto`,
    { codes: ranges.map((r) => r.code), froms: ranges.map((r) => r.from), tos: ranges.map((r) => r.to) },
  );
  if (touched.length === 0) return 0;
  const batch = `units-${randomBytes(6).toString('hex')}`;
  const touchedAt = new Date().toISOString();
  await store.client.insert({
    table: `${store.db}.touched_days`,
    values: touched.map((t) => ({ entity: 'units', unit_code: t.unit_code, day: t.day, touched_at: touchedAt, batch })),
    format: 'JSONEachRow',
  });
  return new Set(touched.map((t) => t.day)).size;
}
