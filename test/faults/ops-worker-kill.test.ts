// A worker stopped abruptly in the middle of a replay (its ingestion activity in flight) and a new
// worker started: the replay workflow resumes from its history and ends with the same result as
// before: the same table counts, the same indicator values, the replay run succeeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import type { IngestResult } from '../../workflows/ingest.ts';
import type { ReplaySummary } from '../../workflows/replay.ts';
import { randomName } from '../support/env.ts';
import { finalRun, type OpsStack, opsStack, producedOf, sampleLines, tableCounts, values } from '../integration/ops-helpers.ts';

const TO = '2026-01-01T00:00:00+07:00';
const id = (p: string) => randomName(p).replace(/_/g, '-');

describe('a worker killed mid-replay', () => {
  let s: OpsStack;

  beforeAll(async () => {
    s = await opsStack(sampleLines(0, 30));
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('a new worker finishes the replay with the same result', async () => {
    const tq = s.cfg.temporal.taskQueue;
    const first = await s.startWorker();
    const runId = id('run');
    const ingested = (await s.client.workflow.execute('ingest', {
      taskQueue: tq,
      workflowId: `ingest-${runId}`,
      args: [{ source: 'one-stop-shop', entity: 'dossiers', origin: s.simulator.url, to: TO, runId }],
    })) as IngestResult;
    const kafka = createKafka(s.cfg, s.log, randomName('ops-wait'));
    await waitForSink({ kafka, groupId: s.cfg.sinkGroup!, produced: producedOf(ingested.runs), timeoutMs: 120_000 });
    // A first replay computes the run's days: the values every later replay must leave as they are.
    const warm = (await s.client.workflow.execute('replay', { taskQueue: tq, workflowId: id('replay'), args: [{ runId, replayRunId: id('warm') }] })) as ReplaySummary;
    expect(warm.days.length).toBeGreaterThan(0);
    const counts = await tableCounts(s.store);
    const before = await values(s.store);

    // The source answers slowly: the replay's ingestion activity is in flight when the worker goes.
    s.simulator.control.set({ delayMs: 3000 });
    const replayRunId = id('replay');
    const handle = await s.client.workflow.start('replay', { taskQueue: tq, workflowId: `replay-${replayRunId}`, args: [{ runId, replayRunId, sinkTimeoutMs: 120_000 }] });
    const child = s.client.workflow.getHandle(`ingest-${replayRunId}`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const d = await child.describe().catch(() => undefined);
      if (d?.raw.pendingActivities?.some((a) => a.activityType?.name === 'ingestOrigin' && (a.attempt ?? 0) >= 1 && a.lastStartedTime)) break;
      if (Date.now() > deadline) throw new Error('the replay never started its ingestion');
      await new Promise((r) => setTimeout(r, 100));
    }
    first.worker.shutdown();
    await first.running;

    s.simulator.control.clear();
    await s.startWorker();
    const summary = (await handle.result()) as ReplaySummary;
    expect(summary.runs.map((r) => [r.runId, r.status, r.read])).toEqual([[replayRunId, 'succeeded', 30]]);
    expect(await finalRun(s.store, replayRunId)).toMatchObject({ status: 'succeeded', read: 30, replay_of: runId });
    // The ingestion ran again on the new worker: its activity's recorded attempt is not the first.
    const history = await child.fetchHistory();
    expect(history.events?.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2)).toBe(true);
    expect(await tableCounts(s.store)).toEqual(counts);
    expect(await values(s.store)).toEqual(before);
  }, 240_000);
});
