// The failed-authentication counter: blocks an address after `max` failures within the window, for
// the rest of the window only, and keeps at most 10,000 addresses however many try.
import { describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from '../../services/ioc-api/auth-limit.ts';

describe('FailedAuthLimiter', () => {
  it('blocks after max failures until the window of the first one ends', () => {
    let now = 1_000_000;
    const l = new FailedAuthLimiter({ max: 3, windowMs: 10_000, now: () => now });
    for (let i = 0; i < 2; i++) l.failed('a');
    expect(l.retryAfter('a')).toBe(0);
    now += 4_000;
    l.failed('a');
    expect(l.retryAfter('a')).toBe(6);
    expect(l.retryAfter('b')).toBe(0);
    now += 6_000;
    expect(l.retryAfter('a')).toBe(0);
    // A new window starts with the next failure.
    l.failed('a');
    expect(l.retryAfter('a')).toBe(0);
  });

  it('stays bounded when many addresses fail', () => {
    let now = 0;
    const l = new FailedAuthLimiter({ max: 1, windowMs: 1_000, now: () => now });
    for (let i = 0; i < 25_000; i++) {
      l.failed(`10.0.${i >> 8}.${i & 255}`);
      now += 1;
    }
    const size = (l as unknown as { seen: Map<string, unknown> }).seen.size;
    expect(size).toBeLessThanOrEqual(10_000);
    // The latest addresses are still held back.
    expect(l.retryAfter(`10.0.${24_999 >> 8}.${24_999 & 255}`)).toBeGreaterThan(0);
  });
});
