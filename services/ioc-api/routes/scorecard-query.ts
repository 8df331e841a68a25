// The scorecard route's one query: v_scorecard's rows (same columns and semantics: the target's
// scope, attainment and status come from indicators/scorecard-status.ts, which generates the view
// too) with the unit, year and plan predicates applied inside each subquery before FINAL and the
// join, and the indicators' Vietnamese names joined in. One statement per request matters: chDB
// runs one statement at a time, so each extra statement may wait behind an ingestion insert.
import { select, type Store } from '../../../infra/clickhouse/store.ts';
import type { ScoreRow } from '../../../indicators/queries.ts';
import { attainmentSql, statusSql, targetAppliesSql } from '../../../indicators/scorecard-status.ts';

export type NamedScoreRow = ScoreRow & { name_vi: string };

const COLUMNS = { value: 'v.value', target: 't.value', comparator: 't.comparator' };

/** Whether migration 0040's year table exists (checked until it does). */
export function yearTableLoader(store: Store): () => Promise<boolean> {
  let present = false;
  return async () => {
    if (present) return true;
    const rows = await select<{ n: string }>(store, `SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'indicator_year_values'`, { db: store.db });
    present = Number(rows[0]?.n ?? 0) > 0;
    return present;
  };
}

export async function scorecardWithNames(store: Store, units: string[], year: number, plan?: string): Promise<NamedScoreRow[]> {
  if (units.length === 0) return [];
  const db = store.db;
  const rows = await select<NamedScoreRow>(
    store,
    `SELECT t.plan AS plan, t.indicator AS indicator, u.code AS unit, toUInt16(t.year) AS year, toFloat64(t.value) AS target,
            toString(t.comparator) AS comparator, v.value AS value,
            ${attainmentSql(COLUMNS)} AS attainment,
            ${statusSql(COLUMNS)} AS status,
            if(n.code = '', t.indicator, n.name_vi) AS name_vi
     FROM (SELECT plan, indicator, scope_unit, scope_level, year, comparator, value FROM ${db}.targets FINAL
           WHERE year = {year:UInt16} AND ({plan:String} = '' OR plan = {plan:String})) AS t
     INNER JOIN
     (
         SELECT code, argMax(level, valid_from) AS level FROM ${db}.units FINAL WHERE code IN {units:Array(String)} GROUP BY code
     ) AS u ON ${targetAppliesSql('t', 'u')}
     LEFT JOIN
     (
         SELECT indicator, unit_code, toUInt16(toYear(period_start)) AS year, value
         FROM ${db}.indicator_year_values FINAL
         WHERE unit_code IN {units:Array(String)}
           AND period_start >= makeDate({year:UInt16}, 1, 1) AND period_start <= makeDate({year:UInt16}, 12, 31)
     ) AS v ON v.indicator = t.indicator AND v.unit_code = u.code AND v.year = t.year
     LEFT JOIN (SELECT code, argMax(name_vi, updated_at) AS name_vi FROM ${db}.indicators GROUP BY code) AS n ON n.code = t.indicator
     ORDER BY unit, plan, indicator`,
    { units, year, plan: plan ?? '' },
  );
  return rows.map((r) => ({ ...r, year: Number(r.year), target: Number(r.target), value: num(r.value), attainment: num(r.attainment) }));
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
