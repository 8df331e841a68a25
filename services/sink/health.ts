// The sink's health: is the consume loop moving? Lag per partition is measured against the broker
// (group's committed offsets vs. high watermarks); when the broker cannot answer, the lag last seen
// in the batches stands in.
import type { Admin } from 'kafkajs';
import type { Health } from '../../lib/service.ts';
import type { PartitionProgress } from './consumer.ts';

export async function measureLag(admin: Admin, groupId: string, topicNames: string[], timeoutMs: number): Promise<Record<string, number>> {
  const work = (async () => {
    const lag: Record<string, number> = {};
    const committed = await admin.fetchOffsets({ groupId, topics: topicNames });
    for (const t of topicNames) {
      const ends = await admin.fetchTopicOffsets(t);
      const mine = committed.find((c) => c.topic === t)?.partitions ?? [];
      for (const p of ends) {
        const c = mine.find((x) => x.partition === p.partition)?.offset ?? '-1';
        const from = c === '-1' ? Number(p.low) : Number(c);
        lag[`${t}:${p.partition}`] = Math.max(0, Number(p.high) - from);
      }
    }
    return lag;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthInputs {
  running: boolean;
  crashed?: string;
  lastProgressAt: number;
  progressWindowMs: number;
  lag: Record<string, number>;
  lagSource: 'broker' | 'batches';
  retrying: boolean;
  /** Chunks are being decoded, queued or written (the queue is not empty). */
  writing: boolean;
  lastBatchAt: number;
  lastInsertMs: number;
  metrics: Record<string, number>;
}

export function sinkHealth(h: HealthInputs): Health {
  const totalLag = Object.values(h.lag).reduce((a, b) => a + b, 0);
  const moving = Date.now() - h.lastProgressAt < h.progressWindowMs;
  const idle = totalLag === 0;
  const ok = h.running && h.crashed === undefined && !h.retrying && (moving || idle);
  const detail = !h.running
    ? 'not running'
    : h.crashed
      ? `consumer crashed: ${h.crashed}`
      : h.retrying
        ? 'ClickHouse writes failing: retrying the same batch'
        : moving
          ? 'consuming'
          : idle
            ? 'idle, no lag'
            : `stalled: ${totalLag} messages behind and no progress for ${Math.round((Date.now() - h.lastProgressAt) / 1000)} s`;
  // A short reason for the unauthenticated readiness answer: no broker names, no error texts.
  const reason = ok ? undefined : !h.running ? 'not running' : h.crashed ? 'consumer crashed' : h.retrying ? 'ClickHouse writes failing' : 'stalled';
  return {
    ok,
    detail,
    ...(reason ? { reason } : {}),
    lag: h.lag,
    lagSource: h.lagSource,
    totalLag,
    writing: h.writing,
    lastBatchAt: h.lastBatchAt > 0 ? new Date(h.lastBatchAt).toISOString() : null,
    lastInsertMs: Math.round(h.lastInsertMs),
    rowsWritten: h.metrics.sink_rows_written_total ?? 0,
    eventsWritten: h.metrics.sink_events_written_total ?? 0,
    rejects: h.metrics.sink_rejects_total ?? 0,
    refused: h.metrics.sink_refused_records_total ?? 0,
    insertMsAvg: (h.metrics.sink_insert_ms_count ?? 0) > 0 ? Math.round((h.metrics.sink_insert_ms_sum ?? 0) / (h.metrics.sink_insert_ms_count ?? 1)) : 0,
  };
}

export function lagFromBatches(progress: Map<string, PartitionProgress>): Record<string, number> {
  return Object.fromEntries([...progress].map(([k, v]) => [k, v.lag]));
}
