// `ingest --wait`: waits until the sink's consumer group has committed past every offset a run
// produced (Kafka's committed offset is the next one to read, so committed > produced), with a
// bounded wait whose error says the sink may not be running.
import type { Kafka } from 'kafkajs';
import { InfraError } from '../lib/errors.ts';

export interface WaitForSinkRequest {
  kafka: Kafka;
  groupId: string;
  /** "topic:partition" -> highest produced offset (RunSummary.producedOffsets). */
  produced: Record<string, string>;
  timeoutMs: number;
  pollMs?: number;
  onProgress?: (p: { pending: number; total: number }) => void;
}

function split(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf(':');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

export async function waitForSink(req: WaitForSinkRequest): Promise<void> {
  const wanted = Object.entries(req.produced).map(([k, off]) => ({ ...split(k), offset: BigInt(off), key: k }));
  if (wanted.length === 0) return;
  const topics = [...new Set(wanted.map((w) => w.topic))];
  const admin = req.kafka.admin();
  await admin.connect();
  const deadline = Date.now() + req.timeoutMs;
  try {
    for (;;) {
      const committed = new Map<string, bigint>();
      for (const t of await admin.fetchOffsets({ groupId: req.groupId, topics })) {
        for (const p of t.partitions) committed.set(`${t.topic}:${p.partition}`, BigInt(p.offset));
      }
      const pending = wanted.filter((w) => (committed.get(w.key) ?? -1n) <= w.offset);
      req.onProgress?.({ pending: pending.length, total: wanted.length });
      if (pending.length === 0) return;
      if (Date.now() >= deadline) {
        throw new InfraError(
          `the sink (consumer group ${req.groupId}) has not consumed this run's messages after ${Math.round(req.timeoutMs / 1000)} s ` +
            `(behind on ${pending.map((p) => p.key).join(', ')}): the sink may not be running (start it with \`chiso up\`)`,
          'SINK_WAIT_TIMEOUT',
          { pending: pending.map((p) => p.key) },
          { retriable: true },
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(req.pollMs ?? 500, Math.max(0, deadline - Date.now()))));
    }
  } finally {
    await admin.disconnect();
  }
}
