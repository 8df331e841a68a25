// nightly: yesterday (Asia/Ho_Chi_Minh) plus every earlier day that sink batches touched since the
// last run (late data), with the months, quarters and years containing them; then the watermark
// moves to the newest touch it saw. Started by the chiso-nightly schedule at 01:00.
import { proxyActivities } from '@temporalio/workflow';
import { addDays, hcmToday, isDay } from '../indicators/periods.ts';
import type { Activities } from './activities/index.ts';
import { type ComputeSummary, runCompute } from './lib/run-compute.ts';

export const NIGHTLY_WATERMARK = 'nightly';

const { touchedDaysSince, saveWatermark } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface NightlyInput {
  /** The run's "today" (YYYY-MM-DD); default: the workflow's clock in Asia/Ho_Chi_Minh. */
  today?: string;
}

export interface NightlySummary extends ComputeSummary {
  computedDays: string[];
}

export async function nightly(input: NightlyInput = {}): Promise<NightlySummary> {
  const today = input.today && isDay(input.today) ? input.today : hcmToday(Date.now());
  const yesterday = addDays(today, -1);
  const touched = await touchedDaysSince(NIGHTLY_WATERMARK);
  // Today's data is still arriving: today is computed by tomorrow's run.
  const days = [...new Set([yesterday, ...touched.days.filter((d) => d <= yesterday)])].sort();
  const summary = await runCompute(days);
  if (touched.until) await saveWatermark(NIGHTLY_WATERMARK, touched.until);
  return { ...summary, computedDays: days };
}
