// The monthly report activities: which units get a report (every unit with child units: the
// province, its cities and districts), and building + storing one unit's report for one month.
import { select } from '../../infra/clickhouse/store.ts';
import { reportCsv } from '../../indicators/report/csv.ts';
import { buildMonthlyReport } from '../../indicators/report/rows.ts';
import { saveReport } from '../../indicators/report/store.ts';
import { reportXlsx } from '../../indicators/report/xlsx.ts';
import { sourcesLoader } from '../../indicators/sources.ts';
import { mapFailures } from './support.ts';
import type { ActivityDeps } from './deps.ts';

export function createReportActivities({ store, log }: ActivityDeps) {
  const rlog = log.child({ component: 'monthly-report' });
  const sources = sourcesLoader(store);
  return mapFailures({
    async listReportUnits(): Promise<string[]> {
      const rows = await select<{ code: string }>(
        store,
        `SELECT DISTINCT parent_code AS code FROM ${store.db}.units FINAL WHERE parent_code != '' AND parent_code IN (SELECT code FROM ${store.db}.units) ORDER BY code`,
      );
      return rows.map((r) => r.code);
    },

    async produceMonthlyReport(input: { unit: string; month: string }): Promise<{ unit: string; month: string; rows: number }> {
      const [u] = await select<{ name: string }>(store, `SELECT argMax(name, valid_from) AS name FROM ${store.db}.units FINAL WHERE code = {code:String}`, { code: input.unit });
      const report = await buildMonthlyReport(store, await sources(), { code: input.unit, name: u?.name ?? input.unit }, input.month);
      // Both formats are stored in one go; ReplacingMergeTree keeps the latest if a run is retried.
      await saveReport(store, { unit: input.unit, month: input.month, format: 'xlsx', content: await reportXlsx(report), rows: report.rows.length });
      await saveReport(store, { unit: input.unit, month: input.month, format: 'csv', content: Buffer.from(reportCsv(report), 'utf8'), rows: report.rows.length });
      rlog.info({ unit: input.unit, month: input.month, rows: report.rows.length }, 'monthly report stored');
      return { unit: input.unit, month: input.month, rows: report.rows.length };
    },
  });
}
export type ReportActivities = ReturnType<typeof createReportActivities>;
