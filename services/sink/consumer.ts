// The eachBatch handler: split a kafkajs batch (one topic-partition) into chunks of at most maxRows,
// decode each message and queue the chunk for writing; once queued, resolve its offsets so that
// kafkajs fetches on while the chunk is written. Offsets are committed by the queue, after the
// write, never here. Bails out, unresolved, when the chunk is dropped (sink stopping, group moved on).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EachBatchPayload } from 'kafkajs';
import type { Accumulator } from './accumulator.ts';
import { decode, type Fingerprint, type topicRoles } from './decode.ts';
import type { LineBuffer } from './lines.ts';
import { type Item, toItem } from './write.ts';

/** Messages decoded between two yields to the event loop (about 20 ms of work). */
const YIELD_EVERY = 1000;

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
  /** The PII HMAC of bytes, for poison messages that cannot be redacted (loaded once per sink). */
  fingerprint: Fingerprint;
  /** The sink's slabs, where decoded events' rows are serialised. */
  lines: LineBuffer;
}

export function createBatchHandler(deps: HandlerDeps): (p: EachBatchPayload) => Promise<void> {
  const { acc, roles, maxRows, fingerprint, lines } = deps;
  return async ({ batch, resolveOffset, heartbeat, pause, isRunning, isStale }) => {
    // The generation the batch was fetched in: kafkajs finishes every eachBatch call before it rejoins.
    const epoch = acc.epoch;
    acc.inFlight++;
    try {
      const role = roles.get(batch.topic);
      for (let i = 0; i < batch.messages.length; i += maxRows) {
        if (!isRunning()) return;
        const messages = batch.messages.slice(i, i + maxRows);
        const first = messages[0];
        const last = messages[messages.length - 1];
        if (first === undefined || last === undefined) return;
        const items: Item[] = [];
        for (const m of messages) {
          items.push(toItem(decode(m, { topic: batch.topic, partition: batch.partition, offset: m.offset }, role, fingerprint), lines));
          // Let the flush in progress go on between slices: its next insert waits for this thread.
          if (items.length % YIELD_EVERY === 0) await yieldToLoop();
        }
        const outcome = await acc.enqueue(
          { topic: batch.topic, partition: batch.partition, firstOffset: first.offset, lastOffset: last.offset, epoch, highWatermark: batch.highWatermark, items },
          { isStale, heartbeat, pause },
        );
        if (outcome !== 'queued') return;
        resolveOffset(last.offset);
        await heartbeat();
      }
    } finally {
      acc.inFlight--;
      acc.poke();
    }
  };
}
