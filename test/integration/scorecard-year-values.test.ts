// Migration 0040: v_scorecard over the year table (indicator_year_values, fed by a materialized view)
// shows exactly what the 0020 definition over indicator_values FINAL shows: year rows written
// before the migration (backfill), after it (the view), recomputed (newest computed_at wins), and
// day / month rows that must not leak in.
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { loadReferenceData } from '../../indicators/load.ts';
import { indicatorCatalogue } from '../../indicators/queries.ts';
import { scorecardWithNames } from '../../services/ioc-api/routes/scorecard-query.ts';
import { createLogger } from '../../lib/logger.ts';
import { testConfig } from '../support/env.ts';

const log = createLogger('warn');

/** The v_scorecard SELECT of migration 0020 (over indicator_values FINAL), for comparison. */
function scorecard0020(db: string): string {
  const text = readFileSync(join(MIGRATIONS_DIR, '0020_indicator_views.sql'), 'utf8');
  const head = 'CREATE VIEW IF NOT EXISTS {db}.v_scorecard AS';
  const body = text.slice(text.indexOf(head) + head.length);
  return body.slice(0, body.search(/;\s*$/m)).replaceAll('{db}', db);
}

const COLUMNS = 'plan, indicator, unit_code, unit_name, level, year, comparator, target, value, attainment, status, numerator, denominator, computed_at';

async function yearRows(store: Store, rows: { i: number; value: number; computedAt: string; period?: string; start?: string }[], pairs: { indicator: string; unit_code: string; year: number }[]): Promise<void> {
  const values = rows.map(({ i, value, computedAt, period, start }) => {
    const p = pairs[i % pairs.length];
    if (p === undefined) throw new Error('no scorecard pair');
    return `('${p.indicator}', '${p.unit_code}', '${period ?? 'year'}', '${start ?? `${p.year}-01-01`}', ${value}, 100, ${value}, '${computedAt}')`;
  });
  await store.client.command({
    query: `INSERT INTO ${store.db}.indicator_values (indicator, unit_code, period, period_start, numerator, denominator, value, computed_at) VALUES ${values.join(', ')}`,
  });
}

describe('v_scorecard over the year table (migration 0040)', () => {
  let store: Store;
  let pairs: { indicator: string; unit_code: string; year: number }[] = [];
  beforeAll(async () => {
    store = await openStore(testConfig().clickhouse);
    // The store as it was before 0040: the migrations up to 0039 only.
    const before = mkdtempSync(join(tmpdir(), 'chiso-mig-'));
    for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_/.test(f) && Number(f.slice(0, 4)) < 40)) cpSync(join(MIGRATIONS_DIR, f), join(before, f));
    await migrate(store, log, before);
    await loadReferenceData(store, log);
    pairs = (
      await select<{ indicator: string; unit_code: string; year: number }>(
        store,
        `SELECT DISTINCT indicator, unit_code, toUInt16(year) AS year FROM (${scorecard0020(store.db)}) ORDER BY indicator, unit_code, year`,
      )
    ).map((p) => ({ ...p, year: Number(p.year) }));
  });
  afterAll(async () => {
    await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
    await store.close();
  });

  it('equals the 0020 definition for rows written before and after the migration, recomputed or not', async () => {
    expect(pairs.length).toBeGreaterThan(10);
    // Before 0040: a year value for every third pair, one of them recomputed, plus day and month rows.
    await yearRows(store, [
      ...pairs.map((_, i) => ({ i, value: 50 + i, computedAt: '2025-03-01 10:00:00.000' })).filter((_, i) => i % 3 === 0),
      { i: 0, value: 99, computedAt: '2025-03-02 10:00:00.000' },
      { i: 1, value: 1, computedAt: '2025-03-01 10:00:00.000', period: 'day', start: `${pairs[1]?.year}-01-01` },
      { i: 2, value: 2, computedAt: '2025-03-01 10:00:00.000', period: 'month', start: `${pairs[2]?.year}-01-01` },
    ], pairs);
    await migrate(store, log);
    // After: more pairs, an older version that must lose, and a newer one that must win.
    await yearRows(store, [
      ...pairs.map((_, i) => ({ i, value: 10 + i, computedAt: '2025-03-03 10:00:00.000' })).filter((_, i) => i % 3 === 1),
      { i: 0, value: 3, computedAt: '2025-02-01 10:00:00.000' },
      { i: 3, value: 120, computedAt: '2025-03-04 10:00:00.000' },
    ], pairs);
    const order = 'ORDER BY plan, indicator, unit_code, year';
    const now = await select(store, `SELECT ${COLUMNS} FROM ${store.db}.v_scorecard ${order}`);
    const then = await select(store, `SELECT ${COLUMNS} FROM (${scorecard0020(store.db)}) ${order}`);
    expect(now.length).toBeGreaterThan(10);
    expect(now).toEqual(then);
    const first = pairs[0];
    const [row] = await select<{ value: number }>(store, `SELECT value FROM ${store.db}.v_scorecard WHERE indicator = {i:String} AND unit_code = {u:String} AND year = {y:UInt16} LIMIT 1`, {
      i: first?.indicator,
      u: first?.unit_code,
      y: first?.year,
    });
    expect(row?.value).toBe(99);
  });

  it("the scorecard route's pushed-down query equals v_scorecard, with the catalogue's names", async () => {
    const names = new Map((await indicatorCatalogue(store)).map((i) => [i.code, i.name_vi]));
    const units = [...new Set(pairs.map((p) => p.unit_code))];
    const years = [...new Set(pairs.map((p) => p.year))];
    const plans = [undefined, ...new Set((await select<{ plan: string }>(store, `SELECT DISTINCT plan FROM ${store.db}.v_scorecard`)).map((r) => r.plan))];
    let compared = 0;
    for (const year of years) {
      for (const plan of plans) {
        for (const some of [units, units.slice(0, 1), units.slice(1, 3)]) {
          const fast = await scorecardWithNames(store, some, year, plan);
          const view = await select<{ plan: string; indicator: string; unit: string; year: number; target: number; comparator: string; value: number | null; attainment: number | null; status: string }>(
            store,
            `SELECT plan, indicator, unit_code AS unit, toUInt16(year) AS year, toFloat64(target) AS target, toString(comparator) AS comparator, value, attainment, toString(status) AS status
             FROM ${store.db}.v_scorecard WHERE unit_code IN {units:Array(String)} AND year = {year:UInt16} AND ({plan:String} = '' OR plan = {plan:String})
             ORDER BY unit_code, plan, indicator`,
            { units: some, year, plan: plan ?? '' },
          );
          expect(fast).toEqual(view.map((r) => ({ ...r, year: Number(r.year), name_vi: names.get(r.indicator) ?? r.indicator })));
          compared += fast.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(10);
  });
});
