// The SQL the API and the monthly report share. Every value is a bound parameter; only the
// database name (validated at start-up) and the relation names chosen in sources.ts are interpolated.
import { select, type Store } from '../infra/clickhouse/store.ts';
import type { ScoreStatus } from './scorecard-status.ts';
import type { Sources } from './sources.ts';

export interface ScoreRow {
  plan: string;
  indicator: string;
  unit: string;
  year: number;
  target: number;
  comparator: string;
  value: number | null;
  attainment: number | null;
  status: ScoreStatus;
}

export interface IndicatorInfo {
  code: string;
  name_vi: string;
  name_en: string;
  source: string;
  kind: string;
  description: string;
}

export async function indicatorCatalogue(store: Store): Promise<IndicatorInfo[]> {
  return select<IndicatorInfo>(
    store,
    `SELECT code, argMax(name_vi, updated_at) AS name_vi, argMax(name_en, updated_at) AS name_en, argMax(source, updated_at) AS source,
            toString(argMax(kind, updated_at)) AS kind, argMax(description, updated_at) AS description
     FROM ${store.db}.indicators GROUP BY code ORDER BY code`,
  );
}

export async function scorecardRows(store: Store, src: Sources, units: string[], year: number, plan?: string): Promise<ScoreRow[]> {
  if (!src.scorecard || units.length === 0) return [];
  const rows = await select<ScoreRow>(
    store,
    `SELECT plan, indicator, unit_code AS unit, toUInt16(year) AS year, toFloat64(target) AS target, toString(comparator) AS comparator,
            value, attainment, toString(status) AS status
     FROM ${src.scorecard}
     WHERE unit_code IN {units:Array(String)} AND year = {year:UInt16} AND ({plan:String} = '' OR plan = {plan:String})
     ORDER BY unit_code, plan, indicator`,
    { units, year, plan: plan ?? '' },
  );
  return rows.map((r) => ({ ...r, year: Number(r.year), target: Number(r.target), value: num(r.value), attainment: num(r.attainment) }));
}

export interface ValueRow {
  indicator: string;
  unit: string;
  period: string;
  period_start: string;
  numerator: number;
  denominator: number;
  value: number | null;
}

export async function valueRows(
  store: Store,
  src: Sources,
  q: { units: string[]; indicator?: string; period: string; from: string; to: string; limit: number },
): Promise<ValueRow[]> {
  const rows = await select<ValueRow>(
    store,
    `SELECT indicator, unit_code AS unit, period, period_start, numerator, denominator, value
     FROM ${src.values}
     WHERE unit_code IN {units:Array(String)} AND period = {period:String}
       AND period_start >= {from:Date} AND period_start <= {to:Date}
       AND ({indicator:String} = '' OR indicator = {indicator:String})
     ORDER BY indicator, unit, period_start
     LIMIT {limit:UInt32}`,
    { units: q.units, period: q.period, from: q.from, to: q.to, indicator: q.indicator ?? '', limit: q.limit },
  );
  return rows.map((r) => ({ ...r, numerator: Number(r.numerator), denominator: Number(r.denominator), value: num(r.value) }));
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
