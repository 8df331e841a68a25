// What activities need from the Temporal activity runtime, kept outside workflows/ (whose lint
// bans @temporalio/activity): a heartbeat that keeps beating while a long ClickHouse statement runs,
// and the mapping of chiso's failure vocabulary onto ApplicationFailure.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ChisoError } from '../../lib/errors.ts';

/** Runs `work`, heartbeating every `everyMs` (and whenever `work` calls beat) until it settles. */
export async function withHeartbeat<T>(work: (beat: (details?: unknown) => void) => Promise<T>, everyMs = 5_000): Promise<T> {
  const ctx = Context.current();
  const beat = (details?: unknown) => ctx.heartbeat(details);
  const timer = setInterval(() => beat(), everyMs);
  try {
    return await work(beat);
  } finally {
    clearInterval(timer);
  }
}

/** Turns a thrown error into an ApplicationFailure whose type is chiso's error code. */
export function toFailure(e: unknown): ApplicationFailure {
  if (e instanceof ApplicationFailure) return e;
  if (e instanceof ChisoError) {
    return e.retriable
      ? ApplicationFailure.retryable(e.message, e.code, e.details)
      : ApplicationFailure.nonRetryable(e.message, e.code, e.details);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: false, cause: err });
}

/** Wraps every function of an activity object so that failures leave as ApplicationFailures. */
export function mapFailures<A extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: A): A {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        throw toFailure(e);
      }
    };
  }
  return out as A;
}
