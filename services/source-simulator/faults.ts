// Fault injection for the simulated export API: failures, slowness and garbage bodies on demand,
// for the tests of retry/backoff/timeouts and for demos. Set at start or through POST /_control.
import { z } from 'zod';

export const faultRequest = z
  .object({
    /** Apply the fault to the next N entity requests only; without it the fault stays until cleared. */
    failNext: z.number().int().min(1).max(100_000).optional(),
    /** Answer with this HTTP status (4xx or 5xx) instead of the page. */
    status: z.number().int().min(400).max(599).optional(),
    /** Answer 200 with a body that is not valid JSON. */
    garbage: z.boolean().optional(),
    /** Wait this long before answering. */
    delayMs: z.number().int().min(0).max(600_000).optional(),
    /** Remove every fault. */
    clear: z.boolean().optional(),
  })
  .strict();
export type FaultRequest = z.infer<typeof faultRequest>;

export interface Fault {
  status?: number;
  garbage?: boolean;
  delayMs?: number;
}

export interface ServedRequest {
  entity: string;
  page: number;
  status: number;
  fault: boolean;
}

/** The fault state of one simulator, and the log of what it answered (tests assert on retries with it). */
export class FaultControl {
  private persistent: Fault = {};
  private oneShot: { fault: Fault; remaining: number } | null = null;
  readonly requests: ServedRequest[] = [];

  /** Applies a control request; returns a description of the state afterwards. */
  set(req: FaultRequest): { persistent: Fault; next: { fault: Fault; remaining: number } | null } {
    const parsed = faultRequest.parse(req);
    if (parsed.clear) {
      this.persistent = {};
      this.oneShot = null;
    }
    const fault: Fault = {
      ...(parsed.status !== undefined ? { status: parsed.status } : {}),
      ...(parsed.garbage !== undefined ? { garbage: parsed.garbage } : {}),
      ...(parsed.delayMs !== undefined ? { delayMs: parsed.delayMs } : {}),
    };
    if (parsed.failNext !== undefined) this.oneShot = { fault, remaining: parsed.failNext };
    else if (Object.keys(fault).length > 0) this.persistent = { ...this.persistent, ...fault };
    return this.describe();
  }

  clear(): void {
    this.set({ clear: true });
  }

  describe(): { persistent: Fault; next: { fault: Fault; remaining: number } | null } {
    return { persistent: { ...this.persistent }, next: this.oneShot ? { fault: { ...this.oneShot.fault }, remaining: this.oneShot.remaining } : null };
  }

  /** The fault for the request being answered now (consumes one of the failNext ones). */
  take(): Fault {
    if (this.oneShot && this.oneShot.remaining > 0) {
      this.oneShot.remaining -= 1;
      const f = this.oneShot.fault;
      if (this.oneShot.remaining === 0) this.oneShot = null;
      return f;
    }
    return this.persistent;
  }
}
