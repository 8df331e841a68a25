// The eachBatch handler: split a kafkajs batch (one topic-partition) into chunks of at most maxRows,
// decode each message, hand the chunk to the accumulator, and only once it is written resolve the
// offsets, commit and heartbeat. Bails out, unresolved, when the partition is stale or the consumer stops.
import type { EachBatchPayload } from 'kafkajs';
import type { Accumulator } from './accumulator.ts';
import { decode, type topicRoles } from './decode.ts';
import type { Chunk } from './write.ts';

export interface PartitionProgress {
  /** Messages behind the high watermark after the last committed chunk. */
  lag: number;
  lastOffset: string;
  at: number;
}

export interface HandlerDeps {
  acc: Accumulator;
  roles: ReturnType<typeof topicRoles>;
  maxRows: number;
  progress: Map<string, PartitionProgress>;
  /** Test-only fault injection, between the writes and the commit. */
  beforeCommit?: () => void;
}

export function createBatchHandler(deps: HandlerDeps): (p: EachBatchPayload) => Promise<void> {
  const { acc, roles, maxRows, progress } = deps;
  return async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, pause, isRunning, isStale }) => {
    acc.inFlight++;
    try {
      const role = roles.get(batch.topic);
      for (let i = 0; i < batch.messages.length; i += maxRows) {
        if (!isRunning() || isStale()) return;
        const messages = batch.messages.slice(i, i + maxRows);
        const first = messages[0];
        const last = messages[messages.length - 1];
        if (first === undefined || last === undefined) return;
        const chunk: Chunk = {
          topic: batch.topic,
          partition: batch.partition,
          firstOffset: first.offset,
          lastOffset: last.offset,
          items: messages.map((m) => decode(m, { topic: batch.topic, partition: batch.partition, offset: m.offset }, role)),
        };
        const outcome = await acc.submit(chunk, { isStale, heartbeat, pause });
        if (outcome !== 'written' || isStale()) return;
        deps.beforeCommit?.();
        resolveOffset(last.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
        progress.set(`${batch.topic}:${batch.partition}`, {
          lag: Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1),
          lastOffset: last.offset,
          at: Date.now(),
        });
      }
    } finally {
      acc.inFlight--;
      acc.poke();
    }
  };
}
