// The Temporal server is stopped and started again in the middle of a backfill: its SQLite file
// keeps the workflow's history, the worker reconnects (or a new one takes over), and the backfill
// ends with values equal to a clean run's. A private dev server (own CHISO_DATA_DIR and ports)
// takes the restart; the shared one stays up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { startTemporal, stopTemporal } from '../../infra/temporal/server.ts';
import { type Config, loadConfig } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import type { Service } from '../../lib/service.ts';
import { createWorker } from '../../services/worker/index.ts';
import type { ComputeSummary, Progress } from '../../workflows/lib/run-compute.ts';
import { randomName } from '../support/env.ts';
import { freePortRun } from '../support/ports.ts';
import { insertFixture } from '../integration/indicators-fixture.ts';
import { waitUntil } from '../integration/sink-fixtures.ts';
import { besideFixture } from './clean-run.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'chiso-fault-temporal-'));
const log = createLogger('silent');
let cfg: Config;
let store: Store;
const workers: Service[] = [];

beforeAll(async () => {
  const { TEMPORAL_ADDRESS: _shared, ...stackEnv } = inject('stackEnv');
  const port = await freePortRun(3);
  cfg = loadConfig({ ...stackEnv, CHISO_DATA_DIR: dataDir, TEMPORAL_PORT: String(port), TEMPORAL_TASK_QUEUE: randomName('tq'), CLICKHOUSE_DATABASE: randomName('t'), CHISO_LOG_LEVEL: 'error' });
  await startTemporal(cfg, () => undefined, { headless: true });
  store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  await insertFixture(store);
}, 180_000);

afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => undefined);
  await store?.close();
  await stopTemporal(cfg);
  rmSync(dataDir, { recursive: true, force: true });
});

async function withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: cfg.temporal.address });
  try {
    return await fn(new Client({ connection, namespace: cfg.temporal.namespace }));
  } finally {
    await connection.close();
  }
}

describe('fault: the Temporal server restarted during a backfill', () => {
  it('the backfill resumes from the server history and ends with the values of a clean run', { timeout: 400_000 }, async () => {
    const first = createWorker({ cfg, store, log }, { schedule: false });
    workers.push(first);
    await first.start();
    const workflowId = randomName('backfill');
    const range = { from: '2025-01-01', to: '2025-06-30' };
    await withClient((c) => c.workflow.start('backfill', { taskQueue: cfg.temporal.taskQueue, workflowId, args: [range] }));
    // Some days written, most still to do.
    let before: Progress | undefined;
    await waitUntil(
      async () => {
        before = await withClient((c) => c.workflow.getHandle(workflowId).query<Progress>('progress'));
        return before.done >= 7;
      },
      120_000,
      'the backfill made no progress',
    );
    expect(before?.finished).toBe(false);

    await stopTemporal(cfg);
    await startTemporal(cfg, () => undefined, { headless: true });

    // The worker normally reconnects by itself; if the outage ended it, a new worker takes over.
    const alive = await waitUntil(async () => (await first.health()).ok, 20_000, 'worker').then(() => true, () => false);
    if (!alive) {
      const second = createWorker({ cfg, store, log }, { schedule: false });
      workers.push(second);
      await second.start();
    }
    const summary = await withClient((c) => c.workflow.getHandle(workflowId).result() as Promise<ComputeSummary>);
    expect(summary.days).toBe(181);
    const progress = await withClient((c) => c.workflow.getHandle(workflowId).query<Progress>('progress'));
    expect(progress).toMatchObject({ done: 181, total: 181, finished: true });

    // A clean run of the same fixture in a second database, on the restarted server.
    const { faulted, clean } = await besideFixture(cfg, store, log, workers, (taskQueue) =>
      withClient((c) => c.workflow.execute('backfill', { taskQueue, workflowId: randomName('clean'), args: [range] })),
    );
    expect(faulted.length).toBeGreaterThan(50);
    expect(faulted).toEqual(clean);
  });
});
