// The sink's write queue: the chunks that eachBatch calls decode are queued here and written by one
// flush at a time, in the order they came, while kafkajs goes on fetching and decoding the next
// ones (the write of batch N overlaps the fetch of batch N+1). An offset is committed only once every
// message before it on its partition is written, in the same consumer-group generation. A failed
// flush is retried with the same chunks (capped exponential backoff, partitions paused, heartbeats);
// rows are never skipped. Rows ClickHouse refuses for what they hold are no reason to retry: they
// are isolated and written as rejects (isolate.ts), and the partition goes on. A full queue holds the eachBatch calls back (back-pressure).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../infra/clickhouse/store.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { retry } from '../../lib/retry.ts';
import type { SinkMetrics } from './metrics.ts';
import type { Fingerprint } from './decode.ts';
import { writeIsolating } from './isolate.ts';
import type { LineBuffer } from './lines.ts';
import { type Chunk, Fenced, type writeChunks, type WriteHooks } from './write.ts';

/** What the queue needs from the kafkajs eachBatch payload of a chunk (usable after the call returned). */
export interface BatchControl {
  isStale(): boolean;
  heartbeat(): Promise<void>;
  pause(): () => void;
}

/** queued: resolve the offset and go on; dropped: the sink stops or the group moved on, do not resolve. */
export type Outcome = 'queued' | 'dropped';

/** A chunk as the queue holds it: where it belongs and what its partition's end was when fetched. */
export interface QueuedChunk extends Chunk {
  /** The consumer-group generation (counted by the sink) the chunk was fetched in. */
  epoch: number;
  highWatermark: string;
}

export interface CommitOffset {
  topic: string;
  partition: number;
  /** The next offset to read (the last written + 1). */
  offset: string;
}

interface Entry {
  chunk: QueuedChunk;
  /** When it was queued (performance.now()). */
  at: number;
  control: BatchControl;
  /** Rebalances begun before the chunk was queued. */
  fence: number;
}

export interface AccumulatorOptions {
  /** Rows per flush at most. */
  maxRows: number;
  /** Rows enough to flush at once, without waiting for the rest of a fetch. */
  minRows: number;
  /** Rows waiting behind the flush in progress before eachBatch calls are held back. */
  maxQueuedRows: number;
  /** How long the oldest queued row waits at most for the flush to fill up to minRows. */
  lingerMs: number;
  /**
   * With no eachBatch call running, how long after the last chunk came a flush waits for more before
   * it starts with fewer than minRows (a stream's next fetch is usually that close).
   */
  quietMs: number;
  backoffMs: { initial: number; max: number };
  /** Commits offsets to the group (consumer.commitOffsets). */
  commit: (offsets: CommitOffset[]) => Promise<void>;
  /** After each commit of a chunk's offsets: progress, for health and lag. */
  committed?: (chunk: QueuedChunk) => void;
  hooks?: WriteHooks;
  /** The HMAC of bytes under the PII key: a refused record whose original cannot be redacted keeps only this. */
  fingerprint: Fingerprint;
  /** The sink's slabs, where a flush serialises its rejects, runs and touched days. */
  lines: LineBuffer;
  /** Test-only fault injection, between the writes and the commit. */
  beforeCommit?: () => void;
}

const key = (c: { topic: string; partition: number }) => `${c.topic}:${c.partition}`;

export class Accumulator {
  /** eachBatch calls currently running (maintained by the consumer). */
  inFlight = 0;
  /** The consumer-group generation, counted: bumped on every group join. */
  epoch = 0;
  /** Rebalances begun, counted (kafkajs announces one before it rejoins). */
  private fences = 0;
  lastFlushAt = 0;
  lastInsertMs = 0;
  retrying = false;
  private queue: Entry[] = [];
  private queuedRows = 0;
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;
  /** Set by stopping(): nothing more is queued. */
  private isStopping = false;
  /** Aborted once the grace time of stopping() is over: a write that keeps failing then gives up. */
  private readonly graceOver = new AbortController();
  private waiters: (() => void)[] = [];
  private idle: (() => void)[] = [];
  /** Partitions that lost a chunk in this epoch (sink stopping, seek): nothing more is committed for them. */
  private frozen = new Set<string>();
  /** The highest offset committed per partition in this epoch (a commit never goes back). */
  private committedTo = new Map<string, bigint>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly metrics: SinkMetrics,
    private readonly opts: AccumulatorOptions,
  ) {}

  /**
   * Queues a chunk once there is room; 'dropped' when the sink stops, the chunk's generation is over
   * or its partition was sought. While it waits for room, the group heartbeat is kept.
   */
  async enqueue(chunk: QueuedChunk, control: BatchControl): Promise<Outcome> {
    while (this.acceptsFrom(chunk) && this.queuedRows > 0 && this.queuedRows + chunk.items.length > this.opts.maxQueuedRows) {
      const room = new Promise<void>((resolve) => this.waiters.push(resolve));
      const timer = new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), 1000).unref());
      if ((await Promise.race([room, timer])) === 'tick') await control.heartbeat();
    }
    if (!this.acceptsFrom(chunk) || control.isStale()) {
      this.freeze(chunk);
      return 'dropped';
    }
    this.queue.push({ chunk, control, fence: this.fences, at: performance.now() });
    this.queuedRows += chunk.items.length;
    this.poke();
    return 'queued';
  }

  /**
   * The group starts to rebalance: this member rejoins at once, without waiting for the flush in
   * progress, so that flush must not write raw_events for chunks whose partition may move.
   */
  rebalancing(): void {
    this.fences++;
  }

  /** A new group generation: kafkajs fetches again from the committed offsets; what is queued from before is dropped. */
  newEpoch(): void {
    this.epoch++;
    const stale = this.queue.filter((e) => e.chunk.epoch !== this.epoch);
    if (stale.length > 0) this.log.info({ chunks: stale.length }, 'group rejoined: queued chunks dropped (they are fetched again from the committed offsets)');
    this.queue = this.queue.filter((e) => e.chunk.epoch === this.epoch);
    this.queuedRows = this.queue.reduce((n, e) => n + e.chunk.items.length, 0);
    this.frozen.clear();
    this.committedTo.clear();
    this.release();
  }

  /** From now on nothing is queued, and a flush that keeps failing gives up after graceMs (redelivered later). */
  stopping(graceMs: number): void {
    this.isStopping = true;
    setTimeout(() => this.graceOver.abort(), graceMs).unref();
    this.release();
    this.poke();
  }

  /** True while a chunk is being decoded, waits in the queue or is being written and committed. */
  get busy(): boolean {
    return this.inFlight > 0 || this.flushing || this.queue.length > 0;
  }

  /** Resolves when everything queued is written and committed (or given up on, when stopping). */
  drained(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Re-evaluates when to flush; called on every enqueue and when an eachBatch call ends. */
  poke(): void {
    if (this.flushing || this.queue.length === 0) return;
    // At once when enough rows are there or when stopping. Otherwise when the oldest row has waited
    // lingerMs, or, with no eachBatch call adding to the queue, when no chunk came for quietMs: a flush
    // has a cost of its own (a dozen inserts), so a stream arriving in small fetches is not written
    // a fetch at a time, while a lone small ingestion waits only quietMs.
    if (this.queuedRows >= this.opts.minRows || this.isStopping) return this.arm(0);
    const oldest = this.queue[0]?.at ?? 0;
    const newest = this.queue[this.queue.length - 1]?.at ?? 0;
    const due = Math.min(oldest + this.opts.lingerMs, this.inFlight === 0 ? newest + this.opts.quietMs : Infinity);
    this.arm(Math.max(0, due - performance.now()));
  }

  /**
   * Nothing more is committed for the chunk's partition in this generation, when the chunk belongs
   * to it. A chunk of an earlier generation freezes nothing: the current one fetched its partition
   * again from the committed offset, so dropping the old chunk loses nothing of it. (A flush fenced
   * by a rebalance throws after kafkajs has rejoined: freezing its partitions then would stop every
   * commit of the new generation, and the group's lag would never come back to 0.)
   */
  private freeze(chunk: QueuedChunk): void {
    if (chunk.epoch === this.epoch) this.frozen.add(key(chunk));
  }

  private acceptsFrom(chunk: QueuedChunk): boolean {
    return !this.isStopping && chunk.epoch === this.epoch;
  }

  private release(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.take();
    this.release();
    try {
      if (await this.writeWithRetry(batch)) await this.commit(batch);
    } catch (e) {
      // A rebalance began (Fenced) or a heartbeat failed: nothing is committed; kafkajs rejoins and redelivers.
      for (const x of batch) this.freeze(x.chunk);
      (e instanceof Fenced ? this.log.info : this.log.warn).call(this.log, { err: errorMessage(e), chunks: batch.length }, 'sink flush abandoned; its messages will be delivered again');
    } finally {
      this.flushing = false;
      if (this.queue.length === 0) for (const r of this.idle.splice(0)) r();
      this.poke();
    }
  }

  /** Takes queued chunks up to maxRows (at least one). */
  private take(): Entry[] {
    const out: Entry[] = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next === undefined || (out.length > 0 && rows + next.chunk.items.length > this.opts.maxRows)) break;
      out.push(next);
      rows += next.chunk.items.length;
      this.queue.shift();
    }
    this.queuedRows -= rows;
    return out;
  }

  /** True once written; false when given up (stopping while ClickHouse still fails). */
  private async writeWithRetry(batch: Entry[]): Promise<boolean> {
    const touchedAt = new Date();
    const resumes: (() => void)[] = [];
    let stopped = false;
    try {
      await retry(
        async () => {
          try {
            const t0 = performance.now();
            const fence = Math.min(...batch.map((e) => e.fence));
            // Records ClickHouse refuses for their content are isolated and become rejects (isolate.ts);
            // what fails here is infrastructure, retried with the same rows.
            const r = await writeIsolating(this.store, this.opts.lines, batch.map((e) => e.chunk), touchedAt, this.opts.fingerprint, { ...this.opts.hooks, stillOurs: () => this.fences === fence });
            this.record(r, batch, performance.now() - t0);
            this.retrying = false;
          } catch (e) {
            if (!(e instanceof Fenced)) {
              this.metrics.recordInsertError();
              this.retrying = true;
            }
            throw e;
          }
        },
        {
          // Until it is written, a rebalance fences it, or the sink stops and its grace time is over.
          attempts: Infinity,
          backoff: { initialMs: this.opts.backoffMs.initial, maxMs: this.opts.backoffMs.max, jitter: { min: 0.8, max: 1.2 } },
          isRetriable: (e) => !(e instanceof Fenced),
          signal: this.graceOver.signal,
          onRetry: ({ error, attempt, delayMs }) => {
            if (attempt === 1) for (const x of batch) resumes.push(x.control.pause());
            this.log.warn({ err: errorMessage(error), attempt, retryInMs: Math.round(delayMs), chunks: batch.length }, 'ClickHouse write failed: partitions paused, retrying the same rows');
          },
          sleep: (ms) => this.sleepWithHeartbeat(ms, batch),
          giveUp: (e, { reason }) => {
            stopped = reason === 'aborted';
            return e;
          },
        },
      );
      return true;
    } catch (e) {
      if (!stopped) throw e;
      this.log.warn({ chunks: batch.length }, 'sink stopping while ClickHouse still fails: the batch stays uncommitted and will be redelivered');
      for (const x of batch) this.freeze(x.chunk);
      return false;
    } finally {
      for (const r of resumes) r();
    }
  }

  /**
   * Commits, per partition, past the last chunk written, when that chunk belongs to the current
   * generation and nothing of its partition was dropped in it: every earlier message is then written.
   */
  private async commit(batch: Entry[]): Promise<void> {
    const last = new Map<string, QueuedChunk>();
    for (const { chunk } of batch) {
      if (chunk.epoch === this.epoch && !this.frozen.has(key(chunk))) last.set(key(chunk), chunk);
    }
    const offsets: CommitOffset[] = [];
    for (const [k, c] of last) {
      const next = BigInt(c.lastOffset) + 1n;
      if (next <= (this.committedTo.get(k) ?? -1n)) continue;
      offsets.push({ topic: c.topic, partition: c.partition, offset: next.toString() });
    }
    if (offsets.length === 0) return;
    this.opts.beforeCommit?.();
    const epoch = this.epoch;
    try {
      await this.opts.commit(offsets);
    } catch (e) {
      // The rows are written: a commit that fails (rebalance, broker away) only means they are delivered again and dropped as known.
      this.log.warn({ err: errorMessage(e), partitions: offsets.length }, 'offset commit failed; the written messages will be delivered again (and dropped as known)');
      return;
    }
    if (epoch !== this.epoch) return;
    for (const o of offsets) this.committedTo.set(key(o), BigInt(o.offset));
    for (const c of last.values()) this.opts.committed?.(c);
  }

  /** Sleeps, heart-beating every second so that the group keeps this member while ClickHouse is down. */
  private async sleepWithHeartbeat(ms: number, batch: Entry[]): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await sleep(Math.min(1000, end - Date.now()));
      await batch[0]?.control.heartbeat();
    }
  }

  private record(r: Awaited<ReturnType<typeof writeChunks>>, batch: Entry[], flushMs: number): void {
    this.metrics.recordFlush(r, batch.reduce((n, e) => n + e.chunk.items.length, 0), flushMs);
    this.lastInsertMs = r.insertMs.reduce((a, b) => a + b, 0);
    this.lastFlushAt = Date.now();
  }
}
