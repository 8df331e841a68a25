// backfill(from, to): every day of a range in chunks, then the longer periods once; `progress`
// (done / total days) is queryable while it runs (`chiso compute` prints it).
import { ApplicationFailure } from '@temporalio/workflow';
import { daysBetween, isDay } from '../indicators/periods.ts';
import { type ComputeSummary, runCompute } from './lib/run-compute.ts';

/** A backfill longer than this is refused: split it (each year is one history of ~100 activities). */
export const MAX_BACKFILL_DAYS = 3 * 366;

export async function backfill(input: { from: string; to: string }): Promise<ComputeSummary> {
  if (!isDay(input.from) || !isDay(input.to)) throw ApplicationFailure.nonRetryable(`expected days of the form YYYY-MM-DD, got ${input.from} and ${input.to}`, 'USAGE');
  if (input.from > input.to) throw ApplicationFailure.nonRetryable(`from ${input.from} is after to ${input.to}`, 'USAGE');
  const days = daysBetween(input.from, input.to);
  if (days.length > MAX_BACKFILL_DAYS) throw ApplicationFailure.nonRetryable(`${days.length} days is more than ${MAX_BACKFILL_DAYS}: split the range`, 'USAGE');
  return runCompute(days);
}
