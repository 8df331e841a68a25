// The one retry loop: an async step tried a bounded number of times, with a growing, capped and
// jittered wait between tries. Which failures are worth another try is the caller's predicate (by
// default the `retriable` flag of a ChisoError or a kafkajs error); an AbortSignal ends the retrying;
// onRetry lets the caller log or count each retry; giveUp turns the last failure into what the caller
// throws. The wait is injectable, so tests never wait for real.
import { setTimeout as sleepFor } from 'node:timers/promises';

export interface Backoff {
  /** The wait before the first retry. */
  initialMs: number;
  /** The wait never grows past this (jitter applied after). Default: no cap. */
  maxMs?: number;
  /** 'exponential' (default): initialMs * 2^(n-1) before the n-th retry; 'linear': initialMs * n. */
  growth?: 'exponential' | 'linear';
  /** The wait is multiplied by a random factor in [min, max). Default: none. */
  jitter?: { min: number; max: number };
}

/** One failed attempt that will be tried again. */
export interface RetryInfo {
  error: unknown;
  /** The attempt that failed, the first being 1. */
  attempt: number;
  /** How long the helper waits before the next attempt. */
  delayMs: number;
}

/** Why retrying stops: the failure cannot be helped by retrying, the attempts ran out, or the signal was aborted. */
export type GiveUpReason = 'not-retriable' | 'exhausted' | 'aborted';

export interface RetryOptions {
  /** Attempts at most, the first included: a whole number >= 1, or Infinity (until success, a failure not retriable, or the signal). */
  attempts: number;
  backoff: Backoff;
  /** Whether a failure is worth another attempt. Default: isRetriable. */
  isRetriable?: (error: unknown) => boolean;
  /**
   * Once aborted, no further attempt starts and the wait in progress ends (the default sleep). The
   * first attempt always runs: the signal is looked at after a failure and after each wait.
   */
  signal?: AbortSignal;
  /** Called after each failure that will be retried, before the wait (logging, metrics, pausing). */
  onRetry?: (info: RetryInfo) => void;
  /** What to throw when retrying stops. Default: the last failure itself. */
  giveUp?: (error: unknown, info: { attempt: number; reason: GiveUpReason }) => unknown;
  /** The wait. Default: a timer that the signal ends early. Tests inject one that does not wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for the jitter. Default: Math.random. */
  random?: () => number;
}

/** The default predicate: the failure says it is retriable (ChisoError.retriable, kafkajs's KafkaJSError.retriable). */
export function isRetriable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { retriable?: unknown }).retriable === true;
}

/** The wait before the n-th retry (n = the number of attempts failed so far, from 1). */
export function backoffDelay(b: Backoff, n: number, random: () => number = Math.random): number {
  const grown = b.growth === 'linear' ? b.initialMs * n : b.initialMs * 2 ** (n - 1);
  const capped = Math.min(b.maxMs ?? Infinity, grown);
  return b.jitter === undefined ? capped : capped * (b.jitter.min + random() * (b.jitter.max - b.jitter.min));
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, undefined, signal ? { signal } : {});
  } catch (e) {
    // An abort ends the wait; the loop then sees the signal and gives up.
    if (!signal?.aborted) throw e;
  }
}

/** `step(attempt)` until it succeeds, retrying its failures as the options say. */
export async function retry<T>(step: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const { attempts, signal } = opts;
  if (!(attempts === Infinity || (Number.isInteger(attempts) && attempts >= 1))) {
    throw new RangeError(`retry: attempts must be a whole number >= 1 or Infinity (got ${attempts})`);
  }
  const retriable = opts.isRetriable ?? isRetriable;
  const sleep = opts.sleep ?? defaultSleep;
  const giveUp = (error: unknown, attempt: number, reason: GiveUpReason) => (opts.giveUp ? opts.giveUp(error, { attempt, reason }) : error);
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (error) {
      if (!retriable(error)) throw giveUp(error, attempt, 'not-retriable');
      if (attempt >= attempts) throw giveUp(error, attempt, 'exhausted');
      if (signal?.aborted) throw giveUp(error, attempt, 'aborted');
      const delayMs = backoffDelay(opts.backoff, attempt, opts.random);
      opts.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs, signal);
      if (signal?.aborted) throw giveUp(error, attempt, 'aborted');
    }
  }
}
