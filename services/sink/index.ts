// The sink service: a kafkajs consumer group over the source, rejects and runs topics that writes
// every accepted record into ClickHouse once (idempotent inserts; offsets committed by the write
// queue only after the writes, while kafkajs fetches on), with start() / stop() that drains and
// commits / health() and in-process metrics.
import { writeSync } from 'node:fs';
import type { Consumer } from 'kafkajs';
import { loadPiiSecret, pseudonymiser } from '../../connectors/pii.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import type { Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { SINK_GROUP, topics } from '../../schemas/topics.ts';
import { errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Health, Service } from '../../lib/service.ts';
import { Accumulator } from './accumulator.ts';
import { createBatchHandler, type PartitionProgress } from './consumer.ts';
import { topicRoles } from './decode.ts';
import { LineBuffer } from './lines.ts';
import { lagFromBatches, measureLag, sinkHealth } from './health.ts';
import { reportLag, SinkMetrics } from './metrics.ts';

export interface SinkDeps {
  cfg: Config;
  store: Store;
  log: Logger;
  groupId?: string;
  /** Tuning, mostly for tests and the benchmark. */
  options?: Partial<SinkOptions>;
}

export interface SinkOptions {
  /** Rows per flush at most (10k-50k), and per chunk of a kafkajs batch. */
  maxRows: number;
  /** Rows enough to flush at once (otherwise a flush waits, see lingerMs and quietMs). */
  minRows: number;
  /** Rows decoded and waiting behind the flush in progress before fetching is held back. */
  maxQueuedRows: number;
  /** How long the oldest queued row waits at most for a flush of minRows. */
  lingerMs: number;
  /** With no fetch being decoded, how long a flush of fewer than minRows waits for the next chunk. */
  quietMs: number;
  backoffMs: { initial: number; max: number };
  /** How long stop() keeps retrying a failing write before leaving the batch uncommitted. */
  drainMs: number;
  /** The loop counts as moving when it wrote within this window. */
  progressWindowMs: number;
}

const DEFAULTS: SinkOptions = { maxRows: 50_000, minRows: 10_000, maxQueuedRows: 100_000, lingerMs: 1000, quietMs: 200, backoffMs: { initial: 250, max: 10_000 }, drainMs: 30_000, progressWindowMs: 60_000 };

export type Sink = Service & { metrics(): Record<string, number> };

export function createSink(deps: SinkDeps): Sink {
  const { cfg, store } = deps;
  const opts: SinkOptions = { ...DEFAULTS, ...deps.options };
  const log = deps.log.child({ component: 'sink' });
  const groupId = deps.groupId ?? cfg.sinkGroup ?? SINK_GROUP;
  const t = topics(cfg.kafka.topicPrefix);
  const kafka = createKafka(cfg, log, `chiso-sink-${process.pid}`);
  const admin = kafka.admin();
  const metrics = new SinkMetrics();
  // Once per sink, not per message: the HMAC key that fingerprints a poison message it cannot redact.
  const fingerprint = pseudonymiser(loadPiiSecret(cfg)).bytes;
  const progress = new Map<string, PartitionProgress>();
  let consumer: Consumer | undefined;
  // This sink's own slabs for serialised rows (lines.ts), shared by its decoder and its flushes only.
  const lines = new LineBuffer();
  const acc = new Accumulator(store, log, metrics, {
    lines,
    maxRows: opts.maxRows,
    minRows: opts.minRows,
    maxQueuedRows: opts.maxQueuedRows,
    lingerMs: opts.lingerMs,
    quietMs: opts.quietMs,
    backoffMs: opts.backoffMs,
    fingerprint,
    commit: async (offsets) => {
      if (!consumer) throw new Error('the consumer is gone');
      await consumer.commitOffsets(offsets);
    },
    committed: (c) =>
      progress.set(`${c.topic}:${c.partition}`, {
        lag: Math.max(0, Number(c.highWatermark) - Number(c.lastOffset) - 1),
        lastOffset: c.lastOffset,
        at: Date.now(),
      }),
    hooks: cfg.fault === 'sink-kill-after-insert' ? { afterInsert: (table) => die(log, `after its first insert (${table})`) } : {},
    ...(cfg.fault === 'sink-kill-before-commit' ? { beforeCommit: () => die(log, 'after its writes, before its commit') } : {}),
  });
  let running = false;
  let crashed: string | undefined;
  let startedAt = 0;
  let withdrawLag: (() => void) | undefined;

  /** Lag per partition from the broker, or, when it does not answer, as last seen in the batches. */
  const currentLag = async (): Promise<{ lag: Record<string, number>; lagSource: 'broker' | 'batches' }> => {
    try {
      return { lag: await measureLag(admin, groupId, t.all, 3000), lagSource: 'broker' };
    } catch {
      return { lag: lagFromBatches(progress), lagSource: 'batches' };
    }
  };

  return {
    name: 'sink',
    async start() {
      await ensureTopics(kafka, cfg.kafka.topicPrefix, { onRetry: ({ error, attempt }) => log.warn({ err: errorMessage(error), attempt }, 'creating the topics failed; retrying') });
      await admin.connect();
      consumer = kafka.consumer({
        groupId,
        sessionTimeout: 30_000,
        rebalanceTimeout: 60_000,
        heartbeatInterval: 3_000,
        // The broker holds a fetch until 1 MiB is there or a second has passed: batches of ~1 s.
        minBytes: 1 << 20,
        maxWaitTimeInMs: 1000,
        maxBytesPerPartition: 16 << 20,
        maxBytes: 64 << 20,
      });
      consumer.on(consumer.events.CRASH, (e) => {
        crashed = e.payload.restart ? undefined : errorMessage(e.payload.error);
        log.error({ err: errorMessage(e.payload.error), restart: e.payload.restart }, 'sink consumer crashed');
      });
      // kafkajs refetches from the committed offsets after every join: what the queue holds from before goes.
      consumer.on(consumer.events.REBALANCING, () => acc.rebalancing());
      consumer.on(consumer.events.GROUP_JOIN, () => acc.newEpoch());
      await consumer.connect();
      await consumer.subscribe({ topics: t.all, fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        // Resolved offsets only move the fetch position on; the queue commits, after each write.
        autoCommit: false,
        partitionsConsumedConcurrently: 32,
        eachBatch: createBatchHandler({ acc, roles: topicRoles(t), maxRows: opts.maxRows, fingerprint, lines }),
      });
      running = true;
      startedAt = Date.now();
      withdrawLag = reportLag(async () => (await currentLag()).lag);
      log.info({ groupId, topics: t.all }, 'sink consuming');
    },

    async stop() {
      if (!consumer) return;
      running = false;
      withdrawLag?.();
      // Nothing more is queued; what is queued is written and committed (or, if ClickHouse still
      // fails after drainMs, left uncommitted for a redelivery); then the consumer leaves the group.
      consumer.pause(t.all.map((topic) => ({ topic })));
      acc.stopping(opts.drainMs);
      await acc.drained();
      await consumer.disconnect();
      await admin.disconnect().catch(() => undefined);
      consumer = undefined;
      log.info(metrics.snapshot(), 'sink stopped');
    },

    async health(): Promise<Health> {
      const { lag, lagSource } = await currentLag();
      metrics.lag = Object.values(lag).reduce((a, b) => a + b, 0);
      const lastBatchAt = Math.max(0, ...[...progress.values()].map((p) => p.at));
      return sinkHealth({
        running,
        ...(crashed ? { crashed } : {}),
        lastProgressAt: Math.max(lastBatchAt, acc.lastFlushAt, startedAt),
        progressWindowMs: opts.progressWindowMs,
        lag,
        lagSource,
        retrying: acc.retrying,
        writing: acc.busy,
        lastBatchAt,
        lastInsertMs: acc.lastInsertMs,
        metrics: metrics.snapshot(),
      });
    },

    metrics() {
      metrics.lag = Object.values(lagFromBatches(progress)).reduce((a, b) => a + b, 0);
      return metrics.snapshot();
    },
  };
}

/** TEST-ONLY (CHISO_FAULT): dies at once, as a crash would: no drain, no commit, no cleanup. */
function die(log: Logger, when: string): never {
  log.warn({ fault: when }, 'CHISO_FAULT: the sink kills itself');
  // The logger may buffer; this line must reach stderr before the process vanishes.
  writeSync(2, `CHISO_FAULT: the sink kills itself ${when}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}
