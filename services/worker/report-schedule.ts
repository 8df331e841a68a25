// The monthly report schedule, created idempotently at worker start-up: 02:00 Asia/Ho_Chi_Minh on
// the 1st of each month (the seeds ask for the report before the 5th), overlap SKIP, and a catch-up
// window of 4 days so that a server down on the 1st still produces it before the 5th.
import { type Client, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from '../../lib/logger.ts';
import { ensureSchedule } from './schedules.ts';

export const MONTHLY_REPORT_SCHEDULE_ID = 'chiso-monthly-report';

export function monthlyReportScheduleOptions(taskQueue: string, scheduleId = MONTHLY_REPORT_SCHEDULE_ID): ScheduleOptions {
  return {
    scheduleId,
    spec: { calendars: [{ dayOfMonth: 1, hour: 2, minute: 0 }], timezone: 'Asia/Ho_Chi_Minh' },
    action: { type: 'startWorkflow', workflowType: 'monthlyReport', taskQueue, args: [{}], workflowId: `${scheduleId}-run` },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '4 days', pauseOnFailure: false },
    memo: { purpose: 'chiso: the monthly report of every province, city and district unit' },
  };
}

export async function ensureMonthlyReportSchedule(client: Client, taskQueue: string, log: Logger, scheduleId = MONTHLY_REPORT_SCHEDULE_ID): Promise<'created' | 'updated'> {
  return ensureSchedule(client, monthlyReportScheduleOptions(taskQueue, scheduleId), log);
}
