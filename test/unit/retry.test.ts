// The one retry loop (lib/retry.ts): attempts, waits, the predicate, the signal and what is thrown at
// the end. The wait is injected and records what it was asked for: nothing here waits for real.
import { describe, expect, it } from 'vitest';
import { InfraError, UsageError } from '../../lib/errors.ts';
import { backoffDelay, isRetriable, retry, type RetryInfo } from '../../lib/retry.ts';

/** A step that fails `failures` times with `error(n)`, then answers 'ok'. */
function flaky(failures: number, error: (n: number) => unknown = (n) => new InfraError(`down ${n}`, 'DOWN')) {
  const calls: number[] = [];
  const step = (attempt: number) => {
    calls.push(attempt);
    return calls.length <= failures ? Promise.reject(error(calls.length)) : Promise.resolve('ok');
  };
  return { step, calls };
}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

describe('retry', () => {
  it('answers at once when the first attempt succeeds', async () => {
    const { step, calls } = flaky(0);
    const { waits, sleep } = recordingSleep();
    await expect(retry(step, { attempts: 3, backoff: { initialMs: 100 }, sleep })).resolves.toBe('ok');
    expect(calls).toEqual([1]);
    expect(waits).toEqual([]);
  });

  it('retries retriable failures with exponential, capped waits', async () => {
    const { step, calls } = flaky(4);
    const { waits, sleep } = recordingSleep();
    await expect(retry(step, { attempts: 5, backoff: { initialMs: 100, maxMs: 500 }, sleep })).resolves.toBe('ok');
    expect(calls).toEqual([1, 2, 3, 4, 5]);
    expect(waits).toEqual([100, 200, 400, 500]);
  });

  it('grows linearly when asked', async () => {
    const { step } = flaky(3);
    const { waits, sleep } = recordingSleep();
    await retry(step, { attempts: 8, backoff: { initialMs: 250, growth: 'linear' }, sleep });
    expect(waits).toEqual([250, 500, 750]);
  });

  it('applies the jitter as a factor in [min, max)', () => {
    const b = { initialMs: 1000, maxMs: 4000, jitter: { min: 0.5, max: 1 } };
    expect(backoffDelay(b, 1, () => 0)).toBe(500);
    expect(backoffDelay(b, 1, () => 0.5)).toBe(750);
    expect(backoffDelay(b, 5, () => 0.999)).toBeCloseTo(3998, 0);
    expect(backoffDelay({ initialMs: 250, maxMs: 10_000, jitter: { min: 0.8, max: 1.2 } }, 3, () => 0.5)).toBe(1000);
  });

  it('gives up after the attempts, throwing the last failure or what giveUp makes of it', async () => {
    const { step, calls } = flaky(10);
    const { waits, sleep } = recordingSleep();
    const err = await retry(step, { attempts: 3, backoff: { initialMs: 10 }, sleep }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('down 3');
    expect(calls).toHaveLength(3);
    expect(waits).toHaveLength(2);

    const seen: unknown[] = [];
    const mapped = await retry(flaky(10).step, {
      attempts: 2,
      backoff: { initialMs: 10 },
      sleep,
      giveUp: (e, info) => (seen.push(info), new UsageError(`gave up after ${info.attempt}: ${(e as Error).message}`)),
    }).catch((e: unknown) => e);
    expect(mapped).toBeInstanceOf(UsageError);
    expect((mapped as Error).message).toBe('gave up after 2: down 2');
    expect(seen).toEqual([{ attempt: 2, reason: 'exhausted' }]);
  });

  it('does not retry a failure the predicate refuses', async () => {
    const { step, calls } = flaky(5, () => new UsageError('bad'));
    const { waits, sleep } = recordingSleep();
    const reasons: string[] = [];
    await expect(retry(step, { attempts: 5, backoff: { initialMs: 10 }, sleep, giveUp: (e, i) => (reasons.push(i.reason), e) })).rejects.toBeInstanceOf(UsageError);
    expect(calls).toEqual([1]);
    expect(waits).toEqual([]);
    expect(reasons).toEqual(['not-retriable']);

    const custom = flaky(2, (n) => new Error(n === 1 ? 'leader moving' : 'fatal'));
    await expect(retry(custom.step, { attempts: 5, backoff: { initialMs: 10 }, sleep, isRetriable: (e) => /leader/.test(String(e)) })).rejects.toThrow('fatal');
    expect(custom.calls).toEqual([1, 2]);
  });

  it('reads the retriable flag by default', () => {
    expect(isRetriable(new InfraError('x', 'X'))).toBe(true);
    expect(isRetriable(new InfraError('x', 'X', {}, { retriable: false }))).toBe(false);
    expect(isRetriable(Object.assign(new Error('kafkajs'), { retriable: true }))).toBe(true);
    expect(isRetriable(new Error('plain'))).toBe(false);
    expect(isRetriable('text')).toBe(false);
    expect(isRetriable(null)).toBe(false);
  });

  it('tells onRetry of each retry, before its wait', async () => {
    const { step } = flaky(2);
    const events: string[] = [];
    const infos: RetryInfo[] = [];
    await retry(step, {
      attempts: 5,
      backoff: { initialMs: 100 },
      sleep: (ms) => (events.push(`sleep ${ms}`), Promise.resolve()),
      onRetry: (i) => (infos.push(i), events.push(`retry ${i.attempt}`)),
    });
    expect(events).toEqual(['retry 1', 'sleep 100', 'retry 2', 'sleep 200']);
    expect(infos.map((i) => (i.error as Error).message)).toEqual(['down 1', 'down 2']);
  });

  it('stops at the signal: after the wait in progress, or at once after a failure once aborted; the first attempt always runs', async () => {
    const ac = new AbortController();
    const { step, calls } = flaky(Infinity);
    const reasons: string[] = [];
    const sleep = (ms: number) => {
      if (calls.length === 3) ac.abort();
      return Promise.resolve(void ms);
    };
    await expect(retry(step, { attempts: Infinity, backoff: { initialMs: 10 }, signal: ac.signal, sleep, giveUp: (e, i) => (reasons.push(i.reason), e) })).rejects.toThrow('down 3');
    expect(calls).toEqual([1, 2, 3]);
    expect(reasons).toEqual(['aborted']);

    const again = flaky(Infinity);
    const { waits, sleep: record } = recordingSleep();
    await expect(retry(again.step, { attempts: Infinity, backoff: { initialMs: 10 }, signal: ac.signal, sleep: record })).rejects.toThrow('down 1');
    expect(again.calls).toEqual([1]);
    expect(waits).toEqual([]);
  });

  it('ends the default wait early when the signal is aborted', async () => {
    const ac = new AbortController();
    const { step, calls } = flaky(Infinity);
    // An hour's wait: the test ends only because the abort cuts it short.
    const run = retry(step, { attempts: Infinity, backoff: { initialMs: 3_600_000 }, signal: ac.signal, onRetry: () => queueMicrotask(() => ac.abort()) });
    await expect(run).rejects.toThrow('down 1');
    expect(calls).toEqual([1]);
  });

  it('refuses a count of attempts that is not a whole number >= 1', async () => {
    for (const attempts of [0, -1, 1.5, Number.NaN]) {
      await expect(retry(() => Promise.resolve(1), { attempts, backoff: { initialMs: 1 } })).rejects.toThrow(/attempts must be a whole number >= 1 or Infinity/);
    }
  });
});
