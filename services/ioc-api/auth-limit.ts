// A per-address counter of failed authentications (unknown bearer tokens): after `max` failures
// within `windowMs` of the first, the address gets 429 until the window ends, even with a valid
// token, so that guessing tokens is slow. In memory, per process; bounded in size.

export interface AuthLimitOptions {
  max: number;
  windowMs: number;
  /** The clock, in ms (tests move it instead of waiting). */
  now: () => number;
}

export const AUTH_LIMIT_DEFAULTS: AuthLimitOptions = { max: 20, windowMs: 60_000, now: () => Date.now() };

/** Addresses remembered at most; past this, expired entries go, then the oldest. */
const MAX_ADDRESSES = 10_000;

export class FailedAuthLimiter {
  private readonly opts: AuthLimitOptions;
  private readonly seen = new Map<string, { count: number; since: number }>();

  constructor(opts: Partial<AuthLimitOptions> = {}) {
    this.opts = { ...AUTH_LIMIT_DEFAULTS, ...opts };
  }

  /** Whole seconds until `address` may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const e = this.seen.get(address);
    if (!e) return 0;
    const left = e.since + this.opts.windowMs - this.opts.now();
    if (left <= 0) {
      this.seen.delete(address);
      return 0;
    }
    return e.count >= this.opts.max ? Math.ceil(left / 1000) : 0;
  }

  failed(address: string): void {
    const now = this.opts.now();
    const e = this.seen.get(address);
    if (e && now - e.since < this.opts.windowMs) {
      e.count++;
      return;
    }
    this.seen.delete(address);
    if (this.seen.size >= MAX_ADDRESSES) this.prune(now);
    this.seen.set(address, { count: 1, since: now });
  }

  private prune(now: number): void {
    for (const [k, e] of this.seen) if (now - e.since >= this.opts.windowMs) this.seen.delete(k);
    for (const k of this.seen.keys()) {
      if (this.seen.size < MAX_ADDRESSES) break;
      this.seen.delete(k);
    }
  }
}
