// Scheduled pulls: a configured folder gets a Temporal Schedule (created idempotently, removed when
// the source leaves the config); each triggered pull is an `ingest` workflow, and the file checkpoint
// makes the second pull skip what the first one ingested.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { ensurePullSchedules } from '../../services/worker/pulls.ts';
import type { IngestResult } from '../../workflows/ingest.ts';
import { randomName } from '../support/env.ts';
import { exportFolder, finalRun, type OpsStack, opsStack, sampleLines } from './ops-helpers.ts';

describe('scheduled pulls of configured sources', () => {
  let s: OpsStack;
  const prefix = randomName('pull');

  beforeAll(async () => {
    s = await opsStack(sampleLines(0, 5));
    await s.startWorker();
  }, 120_000);
  afterAll(async () => {
    await ensurePullSchedules(s.client, { ...s.cfg, sources: [] }, s.log, prefix).catch(() => undefined);
    await s?.close();
  });

  it('creates one schedule per source idempotently; its pulls ingest a file once', async () => {
    const { dir, file } = exportFolder(sampleLines(5, 10));
    const cfg: Config = { ...s.cfg, sources: [{ source: 'one-stop-shop', folder: dir }], pullMinutes: 15 };
    const first = await ensurePullSchedules(s.client, cfg, s.log, prefix);
    expect(first.created).toHaveLength(1);
    expect((await ensurePullSchedules(s.client, cfg, s.log, prefix)).updated).toEqual(first.created);
    const handle = s.client.schedule.getHandle(first.created[0]!);
    const desc = await handle.describe();
    expect(desc.spec.intervals?.[0]?.every).toBe(15 * 60_000);
    expect(desc.action).toMatchObject({ type: 'startWorkflow', workflowType: 'ingest' });

    const pulls: IngestResult[] = [];
    for (let i = 1; i <= 2; i++) {
      await handle.trigger();
      const deadline = Date.now() + 60_000;
      let ids: string[] = [];
      while (ids.length < i && Date.now() < deadline) {
        ids = (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId);
        if (ids.length < i) await new Promise((r) => setTimeout(r, 200));
      }
      pulls.push((await s.client.workflow.getHandle(ids[i - 1]!).result()) as IngestResult);
    }
    expect(pulls[0]!.runs.map((r) => [r.origin, r.status, r.read])).toEqual([[file, 'succeeded', 5]]);
    expect(await finalRun(s.store, pulls[0]!.runs[0]!.runId)).toMatchObject({ status: 'succeeded', read: 5 });
    expect(pulls[1]!.runs).toEqual([]);
    expect(pulls[1]!.skipped[0]?.reason).toMatch(/already ingested/);
    const runs = await select<{ run_id: string }>(s.store, `SELECT run_id FROM ${s.store.db}.ingest_runs FINAL WHERE origin = {o:String}`, { o: file });
    expect(runs).toHaveLength(1);

    expect((await ensurePullSchedules(s.client, { ...cfg, sources: [] }, s.log, prefix)).deleted).toEqual(first.created);
  }, 120_000);
});
