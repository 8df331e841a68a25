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
    /** With failNext: only requests for this page number count (e.g. fail page 3 of a run). */
    page: z.number().int().min(1).optional(),
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

interface OneShot {
  fault: Fault;
  remaining: number;
  page?: number;
}

export interface FaultState {
  persistent: Fault;
  next: OneShot[];
}

/**
 * The fault state of one simulator, and the log of what it answered (tests assert on retries with it).
 * One-shot faults queue up (each `failNext` adds one) and are used in order; a persistent fault
 * applies whenever no one-shot one matches.
 */
export class FaultControl {
  private persistent: Fault = {};
  private oneShots: OneShot[] = [];
  readonly requests: ServedRequest[] = [];

  /** Applies a control request; returns the state afterwards. */
  set(req: FaultRequest): FaultState {
    const parsed = faultRequest.parse(req);
    if (parsed.clear) {
      this.persistent = {};
      this.oneShots = [];
    }
    const fault: Fault = {
      ...(parsed.status !== undefined ? { status: parsed.status } : {}),
      ...(parsed.garbage !== undefined ? { garbage: parsed.garbage } : {}),
      ...(parsed.delayMs !== undefined ? { delayMs: parsed.delayMs } : {}),
    };
    if (parsed.failNext !== undefined) this.oneShots.push({ fault, remaining: parsed.failNext, ...(parsed.page !== undefined ? { page: parsed.page } : {}) });
    else if (Object.keys(fault).length > 0) this.persistent = { ...this.persistent, ...fault };
    return this.describe();
  }

  clear(): void {
    this.set({ clear: true });
  }

  describe(): FaultState {
    return { persistent: { ...this.persistent }, next: this.oneShots.map((o) => structuredClone(o)) };
  }

  /** The fault for a request for `page` answered now (consumes one of the failNext ones that match). */
  take(page: number): Fault {
    const i = this.oneShots.findIndex((o) => o.page === undefined || o.page === page);
    const shot = this.oneShots[i];
    if (!shot) return this.persistent;
    shot.remaining -= 1;
    if (shot.remaining === 0) this.oneShots.splice(i, 1);
    return shot.fault;
  }
}
