// The plan every compute workflow follows: the days in chunks of DAYS_PER_ACTIVITY, then each
// month, quarter and year containing them once (a period's value is recomputed from its records,
// not averaged from days), with progress that a `progress` query reports.
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import { chunk, planPeriods } from '../../indicators/periods.ts';
import type { Activities } from '../activities/index.ts';

export const DAYS_PER_ACTIVITY = 7;
export const PERIODS_PER_ACTIVITY = 4;

export interface Progress {
  /** Days whose day values are written. */
  done: number;
  total: number;
  /** Months, quarters and years written / to write. */
  periodsDone: number;
  periodsTotal: number;
  finished: boolean;
}

export interface ComputeSummary {
  days: number;
  periods: number;
  rows: number;
}

export const progressQuery = defineQuery<Progress>('progress');

const { computeIndicatorPeriods } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Computes these days and their longer periods; registers the `progress` query. */
export async function runCompute(days: readonly string[]): Promise<ComputeSummary> {
  const plan = planPeriods(days);
  const progress: Progress = { done: 0, total: plan.days.length, periodsDone: 0, periodsTotal: plan.longer.length, finished: false };
  setHandler(progressQuery, () => progress);
  let rows = 0;
  for (const part of chunk(plan.days, DAYS_PER_ACTIVITY)) {
    rows += (await computeIndicatorPeriods(part)).rows;
    progress.done += part.length;
  }
  for (const part of chunk(plan.longer, PERIODS_PER_ACTIVITY)) {
    rows += (await computeIndicatorPeriods(part)).rows;
    progress.periodsDone += part.length;
  }
  progress.finished = true;
  return { days: plan.days.length, periods: plan.longer.length, rows };
}
