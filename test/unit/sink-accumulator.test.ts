// The sink's write queue across a rebalance, against a store that holds the first insert until the
// test lets it go: a flush of the old generation that is fenced after kafkajs has rejoined must not
// stop the new generation from committing the same partition (the group's lag would never reach 0).
import { describe, expect, it } from 'vitest';
import type { Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { Accumulator, type BatchControl, type CommitOffset, type QueuedChunk } from '../../services/sink/accumulator.ts';
import { SinkMetrics } from '../../services/sink/metrics.ts';
import { lines, paymentItem, topic } from './sink-payments.ts';


function chunk(epoch: number, first: number, n: number): QueuedChunk {
  const items = Array.from({ length: n }, (_, i) => {
    const offset = String(first + i);
    return paymentItem(`TT-${offset}`, offset);
  });
  return { topic, partition: 3, firstOffset: String(first), lastOffset: String(first + n - 1), epoch, highWatermark: String(first + n), items };
}

/** A chDB-like store whose first insert waits for release(); `entered` resolves when it is reached. */
function gatedStore() {
  let release = () => undefined as void;
  let reached = () => undefined as void;
  const gate = new Promise<void>((r) => (release = r));
  const entered = new Promise<void>((r) => (reached = r));
  let first = true;
  const store = {
    mode: 'chdb',
    db: 'x',
    where: 'fake',
    client: { query: async () => ({ json: async () => [] }) },
    chdbRawInsert: async () => {
      if (!first) return;
      first = false;
      reached();
      await gate;
    },
    close: async () => undefined,
  } as unknown as Store;
  return { store, entered, release };
}

const control: BatchControl = { isStale: () => false, heartbeat: async () => undefined, pause: () => () => undefined };

describe('sink write queue across a rebalance', () => {
  it('commits the new generation although a flush of the old one was fenced after the rejoin', async () => {
    const { store, entered, release } = gatedStore();
    const commits: CommitOffset[][] = [];
    const acc = new Accumulator(store, createLogger('silent'), new SinkMetrics(), {
      maxRows: 100,
      minRows: 1,
      maxQueuedRows: 1000,
      lingerMs: 0,
      quietMs: 0,
      backoffMs: { initial: 10, max: 10 },
      fingerprint: () => 'test',
      lines,
      commit: async (offsets) => {
        commits.push(offsets);
      },
    });
    // Generation 0: a chunk is being written when the group starts to rebalance and this member rejoins.
    expect(await acc.enqueue(chunk(acc.epoch, 100, 10), control)).toBe('queued');
    await entered;
    acc.rebalancing();
    acc.newEpoch();
    // Generation 1 fetches the partition again from its committed offset: the same messages.
    expect(await acc.enqueue(chunk(acc.epoch, 100, 10), control)).toBe('queued');
    const drained = acc.drained();
    release();
    await drained;
    // The old flush was fenced and committed nothing; the new one committed past its last message.
    expect(commits).toEqual([[{ topic, partition: 3, offset: '110' }]]);
    expect(acc.busy).toBe(false);
  });
});
