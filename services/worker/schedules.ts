// The nightly schedule, created idempotently at worker start-up: 01:00 Asia/Ho_Chi_Minh every day,
// overlap SKIP (a run still going makes the next one wait for the night after), and a catch-up
// window of one day (a server down overnight runs the missed night once when it comes back).
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from '../../lib/logger.ts';

export const NIGHTLY_SCHEDULE_ID = 'chiso-nightly';

export function nightlyScheduleOptions(taskQueue: string, scheduleId = NIGHTLY_SCHEDULE_ID): ScheduleOptions {
  return {
    scheduleId,
    spec: { calendars: [{ hour: 1, minute: 0 }], timezone: 'Asia/Ho_Chi_Minh' },
    action: { type: 'startWorkflow', workflowType: 'nightly', taskQueue, args: [{}], workflowId: `${scheduleId}-run` },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day', pauseOnFailure: false },
    memo: { purpose: 'chiso: compute yesterday and the days late data touched' },
  };
}

/** Creates a schedule, or brings an existing one back to this definition (spec, action, policies). */
export async function ensureSchedule(client: Client, options: ScheduleOptions, log: Logger): Promise<'created' | 'updated'> {
  const { scheduleId } = options;
  try {
    await client.schedule.create(options);
    log.info({ scheduleId }, 'schedule created');
    return 'created';
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
  }
  await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: options.policies ?? prev.policies }));
  log.info({ scheduleId }, 'schedule up to date');
  return 'updated';
}

export async function ensureNightlySchedule(client: Client, taskQueue: string, log: Logger, scheduleId = NIGHTLY_SCHEDULE_ID): Promise<'created' | 'updated'> {
  return ensureSchedule(client, nightlyScheduleOptions(taskQueue, scheduleId), log);
}
