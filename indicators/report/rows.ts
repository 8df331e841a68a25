// The monthly report's rows in the seeds' appendix shape (seed 003): STT, indicator, target, plan,
// result, attainment, for one unit and month. The targets that apply to the unit come from
// v_scorecard; the result is the indicator's value for the month, judged against the target by the
// scorecard's rule (indicators/scorecard-status.ts: attainment and status).
import type { Store } from '../../infra/clickhouse/store.ts';
import { indicatorCatalogue, scorecardRows, valueRows } from '../queries.ts';
import { attainment, type ScoreStatus, scoreStatus } from '../scorecard-status.ts';
import type { Sources } from '../sources.ts';

export interface ReportRow {
  stt: number;
  indicator: string;
  name_vi: string;
  plan: string;
  comparator: string;
  target: number;
  result: number | null;
  attainment: number | null;
  status: ScoreStatus;
}

export interface MonthlyReport {
  unit: { code: string; name: string };
  month: string;
  generatedAt: string;
  rows: ReportRow[];
}

const round = (n: number | null, digits = 2) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

export async function buildMonthlyReport(store: Store, src: Sources, unit: { code: string; name: string }, month: string): Promise<MonthlyReport> {
  const year = Number(month.slice(0, 4));
  const first = `${month}-01`;
  const [targets, values, catalogue] = await Promise.all([
    scorecardRows(store, src, [unit.code], year),
    valueRows(store, src, { units: [unit.code], period: 'month', from: first, to: first, limit: 10_000 }),
    indicatorCatalogue(store),
  ]);
  const names = new Map(catalogue.map((i) => [i.code, i.name_vi]));
  const byIndicator = new Map(values.map((v) => [v.indicator, v.value]));
  const rows = targets
    .sort((a, b) => a.plan.localeCompare(b.plan) || a.indicator.localeCompare(b.indicator))
    .map((t, i) => {
      const result = byIndicator.get(t.indicator) ?? null;
      return {
        stt: i + 1,
        indicator: t.indicator,
        name_vi: names.get(t.indicator) ?? t.indicator,
        plan: t.plan,
        comparator: t.comparator,
        target: t.target,
        result: round(result),
        attainment: attainment(result, t.target),
        status: scoreStatus(t.comparator, result, t.target),
      };
    });
  return { unit, month, generatedAt: new Date().toISOString(), rows };
}
