// The Temporal worker is SIGKILLed while a computeIndicators activity runs (a process of its own,
// test/faults/worker-child.ts, holding the chDB directory, which says when an activity starts); a new worker on the same task queue and
// store picks the activity up once its heartbeat timeout expires, and the workflow ends with values
// equal to a clean run's (the same fixture computed in a second database, uninterrupted).
import { type ChildProcess, spawn } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import type { Service } from '../../lib/service.ts';
import { createWorker } from '../../services/worker/index.ts';
import { randomName, testConfig } from '../support/env.ts';
import { besideFixture } from './clean-run.ts';

const log = createLogger('error');
const tq = randomName('tq');
const cfg = testConfig({ TEMPORAL_TASK_QUEUE: tq });
// Seven weeks of days (7 day activities) and their months, quarter and year.
const DAYS = Array.from({ length: 49 }, (_, i) => new Date(Date.UTC(2025, 1, 15 + i)).toISOString().slice(0, 10));
let store: Store | undefined;
const workers: Service[] = [];
let connection: Connection | undefined;

function startChild(): { child: ChildProcess; ready: Promise<void> } {
  const env = { ...process.env, ...inject('stackEnv'), CHISO_DATA_DIR: cfg.dataDir, CLICKHOUSE_DATABASE: cfg.clickhouse.database, TEMPORAL_TASK_QUEUE: tq };
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/worker-child.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => b.toString('utf8').includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`worker child exited (${code}) before it was ready: ${err.slice(-2000)}`)));
  });
  return { child, ready };
}

afterAll(async () => {
  for (const w of workers) await w.stop();
  await connection?.close();
  await store?.close();
});

describe('fault: the worker killed during computeIndicators', () => {
  it('a new worker finishes the computation with the values of a clean run', { timeout: 300_000 }, async () => {
    const first = startChild();
    await first.ready;
    connection = await Connection.connect({ address: cfg.temporal.address });
    const client = new Client({ connection, namespace: cfg.temporal.namespace });
    const handle = await client.workflow.start('computeIndicators', { taskQueue: tq, workflowId: randomName('compute'), args: [{ days: DAYS }] });

    // Kill right after an activity started on the child, once one is done (mid-computation): the child
    // makes each activity wait two seconds before its work, so the kill lands inside it.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no activity started on the first worker after one was done')), 120_000);
      const onData = async (b: Buffer) => {
        if (!b.toString('utf8').includes('started')) return;
        const done = (await handle.fetchHistory()).events?.filter((e) => e.activityTaskCompletedEventAttributes).length ?? 0;
        if (done < 1) return;
        first.child.stdout?.off('data', onData);
        clearTimeout(timer);
        resolve();
      };
      first.child.stdout?.on('data', onData);
    });
    const exited = new Promise((resolve) => first.child.on('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;

    // The chDB directory is free again: this process takes it and runs the second worker.
    store = await openStore(cfg.clickhouse);
    await migrate(store, log);
    const second = createWorker({ cfg, store, log }, { schedule: false });
    workers.push(second);
    await second.start();
    const summary = await handle.result();
    expect(summary).toMatchObject({ days: DAYS.length });
    // The activity in flight at the kill ran again (its heartbeat timeout expired on the server).
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2)).toBe(true);

    // A clean run of the same fixture in a second database of the same session.
    const { faulted, clean } = await besideFixture(cfg, store, log, workers, (taskQueue) =>
      client.workflow.execute('computeIndicators', { taskQueue, workflowId: randomName('clean'), args: [{ days: DAYS }] }),
    );
    expect(faulted.length).toBeGreaterThan(50);
    expect(faulted).toEqual(clean);
  });
});
