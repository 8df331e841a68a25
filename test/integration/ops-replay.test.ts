// Operations on the real stack: a run the source API failed (503 throughout) is a failed workflow and
// a failed ledger row; once the source recovers its replay gives the values of a clean ingestion;
// an export with dates in an unexpected format is rejected row by row and, corrected at the origin,
// replayed into changed values; replaying a good run twice changes no count and no value; a run
// whose export was deleted is refused.
import { rmSync, writeFileSync } from 'node:fs';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { ingestPath } from '../../connectors/files.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import { createChisoProducer } from '../../connectors/producer.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import { computePeriods } from '../../indicators/compute.ts';
import { loadReferenceData } from '../../indicators/load.ts';
import { planPeriods } from '../../indicators/periods.ts';
import { runDaysSql } from '../../indicators/run-days.ts';
import { createSink } from '../../services/sink/index.ts';
import type { IngestResult } from '../../workflows/ingest.ts';
import type { ReplaySummary } from '../../workflows/replay.ts';
import { randomName } from '../support/env.ts';
import { exportFolder, finalRun, type OpsStack, opsStack, producedOf, sampleLines, tableCounts, values } from './ops-helpers.ts';

const TO = '2026-01-01T00:00:00+07:00';
const id = (p: string) => randomName(p).replace(/_/g, '-');

describe('failed ingestions, seen and replayed', () => {
  let s: OpsStack;
  let tq: string;
  let recovered = '';
  let recoveredAccepted = 0;

  const ingest = (args: Record<string, unknown>, runId: string) =>
    s.client.workflow.execute('ingest', { taskQueue: tq, workflowId: `ingest-${runId}`, args: [{ source: 'one-stop-shop', entity: 'dossiers', runId, ...args }] }) as Promise<IngestResult>;
  const replay = (runId: string, replayRunId = id('replay')) =>
    s.client.workflow.execute('replay', { taskQueue: tq, workflowId: `replay-${replayRunId}`, args: [{ runId, replayRunId, sinkTimeoutMs: 120_000 }] }) as Promise<ReplaySummary>;
  const sinkDone = async (r: IngestResult) => {
    const kafka = createKafka(s.cfg, s.log, randomName('ops-wait'));
    await waitForSink({ kafka, groupId: s.cfg.sinkGroup!, produced: producedOf(r.runs), timeoutMs: 120_000 });
  };

  beforeAll(async () => {
    s = await opsStack(sampleLines(0, 30));
    tq = s.cfg.temporal.taskQueue;
    await s.startWorker();
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('a source down for a whole run fails it; once the source is back the replay equals a clean ingestion', async () => {
    const runId = id('run');
    s.simulator.control.set({ status: 503 });
    const failure = await ingest({ origin: s.simulator.url, to: TO, attempts: 1 }, runId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('SOURCE_API_UNAVAILABLE');
    const failed = await finalRun(s.store, runId);
    expect(failed).toMatchObject({ status: 'failed', accepted: 0 });
    expect(failed.error).toMatch(/503/);
    const listed = await select<{ run_id: string }>(s.store, `SELECT run_id FROM ${s.store.db}.ingest_runs FINAL WHERE status = 'failed' AND source = 'one-stop-shop'`);
    expect(listed.map((r) => r.run_id)).toContain(runId);

    s.simulator.control.clear();
    const replayRunId = id('replay');
    const summary = await replay(runId, replayRunId);
    expect(summary.runs.map((r) => [r.runId, r.status, r.read])).toEqual([[replayRunId, 'succeeded', 30]]);
    expect(summary.days.length).toBeGreaterThan(0);
    expect(summary.compute?.days).toBe(summary.days.length);
    expect(await finalRun(s.store, replayRunId)).toMatchObject({ status: 'succeeded', read: 30, replay_of: runId });
    recovered = replayRunId;
    recoveredAccepted = summary.runs[0]!.accepted;

    // The clean reference: the same export ingested into a second database of the same store, by a
    // sink of its own on topics of its own, and computed for the same days.
    const clean: Store = { ...s.store, db: randomName('clean'), close: async () => undefined };
    await s.store.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${clean.db}` });
    await migrate(clean, s.log);
    await loadReferenceData(clean, s.log);
    const cfg2 = { ...s.cfg, kafka: { ...s.cfg.kafka, topicPrefix: `${randomName('clean')}.` }, sinkGroup: randomName('sink2') };
    const sink2 = createSink({ cfg: cfg2, store: clean, log: s.log, options: { lingerMs: 200 } });
    await sink2.start();
    const kafka = createKafka(cfg2, s.log, randomName('clean'));
    await ensureTopics(kafka, cfg2.kafka.topicPrefix);
    const producer = await createChisoProducer(kafka, s.log);
    try {
      const runs = await ingestPath(
        { producer, log: s.log, pseudonymise: pseudonymiser(s.cfg.piiSecret!), topicPrefix: cfg2.kafka.topicPrefix },
        { source: 'one-stop-shop', path: exportFolder(sampleLines(0, 30)).file, checkpoints: new FileCheckpoints(randomName('/tmp/cp')) },
      );
      expect(runs.map((r) => [r.status, r.accepted])).toEqual([['succeeded', summary.runs[0]!.accepted]]);
      await waitForSink({ kafka, groupId: cfg2.sinkGroup, produced: producedOf(runs), timeoutMs: 120_000 });
      const plan = planPeriods(summary.days);
      await computePeriods(clean, [...plan.days, ...plan.longer], s.log);
    } finally {
      await producer.disconnect();
      await sink2.stop();
    }
    const replayed = await values(s.store);
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed).toEqual(await values(clean));
  }, 180_000);

  it('dates in an unexpected format are rejected row by row; corrected at the origin, the replay accepts them and the days change', async () => {
    const good = sampleLines(30, 50);
    const badIdx = [1, 5, 9, 13];
    const received = badIdx.map((i) => /"NgayTiepNhan":"(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)"/.exec(good[i]!)!);
    const bad = good.map((l, i) => {
      const m = badIdx.indexOf(i);
      if (m < 0) return l;
      const [, y, mo, d, h, mi, se] = received[m]!;
      return l.replace(/"NgayTiepNhan":"\d{14}"/, `"NgayTiepNhan":"${y}.${mo}.${d} ${h}:${mi}:${se}"`);
    });
    const { file } = exportFolder(bad);
    const runId = id('run');
    const first = await ingest({ origin: file }, runId);
    // The samples carry bad rows of their own: the four dates come on top of them.
    const [run] = first.runs;
    expect(run).toMatchObject({ runId, status: 'succeeded', read: 20 });
    expect(run!.rejected).toBeGreaterThanOrEqual(4);
    await sinkDone(first);
    const rejects = await select<{ location: string; field: string; original: string }>(
      s.store,
      `SELECT location, field, original FROM ${s.store.db}.rejects FINAL WHERE run_id = {r:String} AND field = 'NgayTiepNhan' ORDER BY location`,
      { r: runId },
    );
    const dotted = rejects.filter((r) => /"NgayTiepNhan":"\d{4}\.\d\d\.\d\d /.test(r.original));
    expect(dotted).toHaveLength(4);
    expect(dotted.every((r) => r.location.includes('dossiers.ndjson'))).toBe(true);

    const days = (await select<{ day: string }>(s.store, runDaysSql(s.store.db, [runId]))).map((r) => r.day);
    await s.client.workflow.execute('computeIndicators', { taskQueue: tq, workflowId: id('compute'), args: [{ days }] });
    const badDays = [...new Set(received.map((m) => `${m[1]}-${m[2]}-${m[3]}`))].map((d) => `'${d}'`).join(', ');
    const where = `period = 'day' AND period_start IN (${badDays})`;
    const before = await values(s.store, where);

    writeFileSync(file, `${good.join('\n')}\n`);
    const summary = await replay(runId);
    expect(summary.runs.map((r) => [r.status, r.read, r.accepted, r.rejected])).toEqual([['succeeded', 20, run!.accepted + 4, run!.rejected - 4]]);
    for (const d of received.map((m) => `${m[1]}-${m[2]}-${m[3]}`)) expect(summary.days).toContain(d);
    const after = await values(s.store, where);
    expect(after).not.toEqual(before);
    const [dossiers] = await select<{ c: string }>(s.store, `SELECT count() AS c FROM ${s.store.db}.dossiers FINAL`);
    expect(Number(dossiers?.c)).toBe(recoveredAccepted + run!.accepted + 4);
  }, 180_000);

  it('replaying a good run twice changes no table count and no indicator value', async () => {
    expect(recovered).not.toBe('');
    const counts = await tableCounts(s.store);
    const before = await values(s.store);
    for (let i = 0; i < 2; i++) {
      const rid = id('again');
      const summary = await replay(recovered, rid);
      expect(summary.runs.map((r) => r.status)).toEqual(['succeeded']);
      expect(await finalRun(s.store, rid)).toMatchObject({ status: 'succeeded', read: 30, replay_of: recovered });
    }
    expect(await tableCounts(s.store)).toEqual(counts);
    expect(await values(s.store)).toEqual(before);
  }, 180_000);

  it('refuses to replay a run whose export was deleted', async () => {
    const { file } = exportFolder(sampleLines(50, 52));
    const runId = id('run');
    await sinkDone(await ingest({ origin: file }, runId));
    await finalRun(s.store, runId);
    rmSync(file);
    const failure = await replay(runId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('ORIGIN_GONE');
    expect(cause.message).toMatch(/is gone/);
  }, 120_000);
});
