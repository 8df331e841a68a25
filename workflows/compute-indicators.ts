// computeIndicators(days): every indicator for these days and the months, quarters and years
// containing them, in bounded activities.
import { ApplicationFailure } from '@temporalio/workflow';
import { isDay } from '../indicators/periods.ts';
import { type ComputeSummary, runCompute } from './lib/run-compute.ts';

export async function computeIndicators(input: { days: string[] }): Promise<ComputeSummary> {
  const bad = input.days.filter((d) => !isDay(d));
  if (bad.length > 0) throw ApplicationFailure.nonRetryable(`not days of the form YYYY-MM-DD: ${bad.slice(0, 5).join(', ')}`, 'USAGE');
  return runCompute(input.days);
}
