// monthlyReport: on the 1st of each month (schedule in services/worker/report-schedule.ts), the
// report of the month just ended for every province, city and district unit, stored so that it
// stays downloadable (GET /api/v1/reports/monthly?stored=true).
import { proxyActivities } from '@temporalio/workflow';
import { addDays, hcmToday } from '../indicators/periods.ts';
import type { ReportActivities } from './activities/report.ts';

const { listReportUnits, produceMonthlyReport } = proxyActivities<ReportActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export interface MonthlyReportInput {
  /** YYYY-MM; default: the month before the workflow's clock in Asia/Ho_Chi_Minh. */
  month?: string;
}

/** The month (YYYY-MM) before the one the clock `nowMs` is in, in Asia/Ho_Chi_Minh. */
export function previousMonth(nowMs: number): string {
  return addDays(`${hcmToday(nowMs).slice(0, 7)}-01`, -1).slice(0, 7);
}

export async function monthlyReport(input: MonthlyReportInput = {}): Promise<{ month: string; reports: { unit: string; rows: number }[] }> {
  const month = input.month && /^\d{4}-(0[1-9]|1[0-2])$/.test(input.month) ? input.month : previousMonth(Date.now());
  const units = await listReportUnits();
  const reports: { unit: string; rows: number }[] = [];
  // One unit at a time: a province has tens of units and each report is small; no need to fan out.
  for (const unit of units) {
    const r = await produceMonthlyReport({ unit, month });
    reports.push({ unit, rows: r.rows });
  }
  return { month, reports };
}
