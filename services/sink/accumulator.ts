// Gathers the chunks that concurrent eachBatch calls submit (one per topic-partition) into one
// flush: when the rows reach maxRows, when every running eachBatch call is waiting (the whole fetch
// is in), or after lingerMs. A failed flush is retried with the same chunks, with capped exponential
// backoff, the partitions paused and the group heartbeat kept; rows are never skipped.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../infra/clickhouse/store.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { SinkMetrics } from './metrics.ts';
import { type Chunk, writeChunks, type WriteHooks } from './write.ts';

/** What a contributor needs from its kafkajs eachBatch payload while its chunk waits. */
export interface BatchControl {
  isStale(): boolean;
  heartbeat(): Promise<void>;
  pause(): () => void;
}

/** written: resolve and commit; dropped: the partition went stale or the sink stopped, do not resolve. */
export type Outcome = 'written' | 'dropped';

interface Contribution {
  chunk: Chunk;
  control: BatchControl;
  done: (o: Outcome) => void;
  fail: (e: unknown) => void;
}

export interface AccumulatorOptions {
  maxRows: number;
  lingerMs: number;
  backoffMs: { initial: number; max: number };
  hooks?: WriteHooks;
}

export class Accumulator {
  /** eachBatch calls currently running (maintained by the consumer). */
  inFlight = 0;
  private pending: Contribution[] = [];
  private pendingRows = 0;
  private flushingCount = 0;
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;
  private stopDeadline: number | undefined;
  lastFlushAt = 0;
  lastInsertMs = 0;
  retrying = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly metrics: SinkMetrics,
    private readonly opts: AccumulatorOptions,
  ) {}

  submit(chunk: Chunk, control: BatchControl): Promise<Outcome> {
    return new Promise<Outcome>((done, fail) => {
      this.pending.push({ chunk, control, done, fail });
      this.pendingRows += chunk.items.length;
      this.poke();
    });
  }

  /** From now on a flush that keeps failing gives up after graceMs (its chunks are redelivered later). */
  stopping(graceMs: number): void {
    this.stopDeadline = Date.now() + graceMs;
    this.poke();
  }

  /** Re-evaluates whether to flush now; called on every submission and when an eachBatch call ends. */
  poke(): void {
    if (this.flushing || this.pending.length === 0) return;
    const allWaiting = this.pending.length + this.flushingCount >= this.inFlight;
    if (this.pendingRows >= this.opts.maxRows || allWaiting || this.stopDeadline !== undefined) {
      // A few milliseconds more: kafkajs starts the other batches of the same fetch right after.
      this.arm(allWaiting && this.pendingRows < this.opts.maxRows ? 5 : 0);
    } else {
      this.arm(this.opts.lingerMs);
    }
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const batch = this.take();
    this.flushingCount = batch.length;
    try {
      await this.writeWithRetry(batch);
    } finally {
      this.flushing = false;
      this.flushingCount = 0;
      this.poke();
    }
  }

  /** Takes pending chunks up to maxRows (at least one). */
  private take(): Contribution[] {
    const out: Contribution[] = [];
    let rows = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      if (next === undefined || (out.length > 0 && rows + next.chunk.items.length > this.opts.maxRows)) break;
      out.push(next);
      rows += next.chunk.items.length;
      this.pending.shift();
    }
    this.pendingRows -= rows;
    return out;
  }

  private async writeWithRetry(batch: Contribution[]): Promise<void> {
    const touchedAt = new Date();
    const resumes: (() => void)[] = [];
    let live = batch;
    try {
      for (let attempt = 0; ; attempt++) {
        // A partition taken away by a rebalance is another member's now: its rows are not ours to write.
        for (const c of live.filter((x) => x.control.isStale())) c.done('dropped');
        live = live.filter((x) => !x.control.isStale());
        if (live.length === 0) return;
        if (attempt > 0 && this.stopDeadline !== undefined && Date.now() > this.stopDeadline) {
          this.log.warn({ chunks: live.length }, 'sink stopping while ClickHouse still fails: the batch stays uncommitted and will be redelivered');
          for (const c of live) c.done('dropped');
          return;
        }
        try {
          const t0 = performance.now();
          const r = await writeChunks(this.store, live.map((c) => c.chunk), touchedAt, this.opts.hooks);
          this.metrics.flushMs.observe(performance.now() - t0);
          this.record(r, live);
          this.retrying = false;
          for (const c of live) c.done('written');
          return;
        } catch (e) {
          this.metrics.insertErrors++;
          this.retrying = true;
          if (attempt === 0) for (const c of live) resumes.push(c.control.pause());
          const delay = Math.min(this.opts.backoffMs.max, this.opts.backoffMs.initial * 2 ** attempt) * (0.8 + Math.random() * 0.4);
          this.log.warn({ err: errorMessage(e), attempt: attempt + 1, retryInMs: Math.round(delay), chunks: live.length }, 'ClickHouse write failed: partitions paused, retrying the same rows');
          await this.sleepWithHeartbeat(delay, live);
        }
      }
    } catch (e) {
      // A heartbeat failed (rebalance, lost broker): the eachBatch calls rethrow it and kafkajs rejoins.
      for (const c of live) c.fail(e);
    } finally {
      for (const r of resumes) r();
    }
  }

  /** Sleeps, heart-beating every second so that the group keeps this member while ClickHouse is down. */
  private async sleepWithHeartbeat(ms: number, live: Contribution[]): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await sleep(Math.min(1000, end - Date.now()));
      await live[0]?.control.heartbeat();
    }
  }

  private record(r: Awaited<ReturnType<typeof writeChunks>>, live: Contribution[]): void {
    const m = this.metrics;
    m.flushes++;
    m.rowsWritten += r.rowsWritten;
    m.eventsWritten += r.eventsWritten;
    m.duplicatesDropped += r.duplicatesDropped;
    m.rejects += r.rejects;
    m.poison += r.poison;
    m.batchRows.observe(live.reduce((n, c) => n + c.chunk.items.length, 0));
    for (const ms of r.insertMs) m.insertMs.observe(ms);
    m.dedupMs.observe(r.dedupMs);
    this.lastInsertMs = r.insertMs.reduce((a, b) => a + b, 0);
    this.lastFlushAt = Date.now();
  }
}
