// The compute workflows on the real Temporal dev server with the chiso worker (createWorker: the
// same activities, chDB store and schedule code as the all-in-one process): computeIndicators writes
// values, backfill reports progress, and late data for an already computed day is picked up by the
// nightly schedule's next run (triggered), which recomputes that day and its month.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import type { Service } from '../../lib/service.ts';
import { createWorker } from '../../services/worker/index.ts';
import { ensureNightlySchedule } from '../../services/worker/schedules.ts';
import { randomName, testConfig } from '../support/env.ts';
import { DOSSIERS, insertFixture } from './indicators-fixture.ts';

const log = createLogger('warn');
const BIN = fileURLToPath(new URL('../../bin/chiso.js', import.meta.url));

/** The `chiso` binary as an operator runs it (asynchronously: the worker of this process must keep running). */
function chiso(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...inject('stackEnv'), ...env }, timeout: 120_000 }, (e, out, err) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }),
    );
  });
}
const DAYS = ['2025-03-01', '2025-03-02', '2025-03-03'];

describe('indicator workflows on Temporal', () => {
  let cfg: Config;
  let store: Store;
  let worker: Service;
  let connection: Connection;
  let client: Client;
  const scheduleId = randomName('nightly');

  const value = async (indicator: string, unit: string, period: string, start: string) => {
    const [r] = await select<{ value: number | null }>(
      store,
      `SELECT value FROM ${store.db}.v_indicator_values WHERE indicator = {i:String} AND unit_code = {u:String} AND period = {p:String} AND period_start = {s:Date}`,
      { i: indicator, u: unit, p: period, s: start },
    );
    return r === undefined ? undefined : r.value === null ? null : Math.round(r.value * 100) / 100;
  };
  const touch = (day: string, touched_at: string, batch: string) =>
    store.client.insert({ table: `${store.db}.touched_days`, values: [{ entity: 'dossiers', unit_code: 'X0101', day, touched_at, batch }], format: 'JSONEachRow' });

  beforeAll(async () => {
    cfg = testConfig({ TEMPORAL_TASK_QUEUE: randomName('tq') });
    store = await openStore(cfg.clickhouse);
    await migrate(store, log);
    worker = createWorker({ cfg, store, log }, { scheduleId });
    await worker.start();
    await insertFixture(store);
    connection = await Connection.connect({ address: cfg.temporal.address });
    client = new Client({ connection, namespace: cfg.temporal.namespace });
  });
  afterAll(async () => {
    await client?.schedule.getHandle(scheduleId).delete().catch(() => undefined);
    await worker?.stop();
    await connection?.close();
    await store?.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
    await store?.close();
  });

  it('computeIndicators writes the values of the days and their month', async () => {
    const summary = await client.workflow.execute('computeIndicators', { taskQueue: cfg.temporal.taskQueue, workflowId: randomName('compute'), args: [{ days: DAYS }] });
    expect(summary).toMatchObject({ days: 3, periods: 3 });
    expect(await value('dossier_online', 'X0101', 'day', '2025-03-01')).toBe(66.67);
    expect(await value('dossier_online', 'X0101', 'month', '2025-03-01')).toBe(60);
    expect(await value('dossier_online', 'H01', 'year', '2025-01-01')).toBe(62.5);
    expect((await worker.health()).ok).toBe(true);
  });

  it('backfill reports its progress through the progress query', async () => {
    const handle = await client.workflow.start('backfill', { taskQueue: cfg.temporal.taskQueue, workflowId: randomName('backfill'), args: [{ from: '2025-02-20', to: '2025-03-03' }] });
    await handle.result();
    expect(await handle.query('progress')).toEqual({ done: 12, total: 12, periodsDone: 4, periodsTotal: 4, finished: true });
    const bad = await client.workflow.start('backfill', { taskQueue: cfg.temporal.taskQueue, workflowId: randomName('backfill'), args: [{ from: '2025-03-31', to: '2025-03-01' }] });
    await expect(bad.result()).rejects.toThrow(/failed/);
  });

  it('the nightly schedule is idempotent and its next run recomputes a late day and its month', async () => {
    expect(await ensureNightlySchedule(client, cfg.temporal.taskQueue, log, scheduleId)).toBe('updated');
    const desc = await client.schedule.getHandle(scheduleId).describe();
    expect(desc.spec.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(desc.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000 });

    // A first nightly run takes in everything touched so far and moves the watermark past it.
    await touch('2025-03-01', '2025-03-04 01:00:00.000', 'b1');
    const first = await client.workflow.execute('nightly', { taskQueue: cfg.temporal.taskQueue, workflowId: randomName('nightly'), args: [{ today: '2025-03-04' }] });
    expect(first.computedDays).toEqual(['2025-03-01', '2025-03-03']);
    expect(await value('dossier_online', 'X0101', 'day', '2025-03-01')).toBe(66.67);

    // Late data: a new online dossier received on 1 March arrives after that day was computed.
    const late = { ...DOSSIERS[0]!, record_id: 'D08', vneid_authenticated: false, status: 2, finished_at: null, updated_at: '2025-03-05 00:00:00' };
    await store.client.insert({ table: `${store.db}.dossiers`, values: [late], format: 'JSONEachRow' });
    await touch('2025-03-01', new Date().toISOString(), 'b2');

    const before = (await client.schedule.getHandle(scheduleId).describe()).info.recentActions.length;
    await client.schedule.getHandle(scheduleId).trigger();
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (await value('dossier_online', 'X0101', 'day', '2025-03-01')) !== 75) {
      await new Promise((r) => setTimeout(r, 500));
    }
    // 1 March: D01 D03 D08 online of D01 D02 D03 D08 -> 75; March: 4 online of 6 -> 66.67.
    expect(await value('dossier_online', 'X0101', 'day', '2025-03-01')).toBe(75);
    const monthDeadline = Date.now() + 60_000;
    while (Date.now() < monthDeadline && (await value('dossier_online', 'X0101', 'month', '2025-03-01')) !== 66.67) {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await value('dossier_online', 'X0101', 'month', '2025-03-01')).toBe(66.67);
    expect(await value('dossier_online', 'H01', 'month', '2025-03-01')).toBe(66.67); // 6 online of 9
    expect((await client.schedule.getHandle(scheduleId).describe()).info.recentActions.length).toBeGreaterThan(before);
  });

  it('chiso nightly --date --wait runs the nightly workflow now and prints the days it recomputed', async () => {
    const r = await chiso(['nightly', '--date', '2025-03-02', '--wait', '--json'], { TEMPORAL_TASK_QUEUE: cfg.temporal.taskQueue });
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { computedDays: string[]; seconds: number; workflowId: string };
    expect(out.computedDays).toContain('2025-03-02');
    expect(out.computedDays.every((d) => d <= '2025-03-02')).toBe(true);
    expect(out.workflowId).toMatch(/^chiso-nightly-manual-2025-03-03-/);
    expect(await value('dossier_online', 'X0101', 'day', '2025-03-02')).not.toBeUndefined();
  });

  it('nightly and compute say at once that no worker polls, instead of waiting forever', async () => {
    const env = { TEMPORAL_TASK_QUEUE: randomName('nobody') };
    for (const args of [['nightly', '--wait'], ['compute', '--from', '2025-03-01', '--to', '2025-03-02']]) {
      const r = await chiso(args, env);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(`no chiso worker polls the task queue '${env.TEMPORAL_TASK_QUEUE}'`);
    }
    const bad = await chiso(['nightly', '--date', '2025-02-30x'], env);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--date: expected a day in the form YYYY-MM-DD');
  });
});
