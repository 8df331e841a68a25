// The indicator computation driven by Temporal, as production runs it: a private Temporal dev server
// and the chiso worker, over a generated province-year of 300k dossiers (and 2,100 services). The
// nightly computeIndicators for one day and the 365-day backfill workflow, each beside the same
// plan computed directly in-process (computePeriods): the ratio is the orchestration's cost. The
// Temporal server's peak memory is sampled by bench/run.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { migrate } from '../infra/clickhouse/migrate.ts';
import { openStore } from '../infra/clickhouse/store.ts';
import { startTemporal, stopTemporal } from '../infra/temporal/server.ts';
import { loadConfig } from '../schemas/config.ts';
import { computePeriods } from '../indicators/compute.ts';
import { chunk, daysBetween, planPeriods } from '../indicators/periods.ts';
import { createLogger } from '../lib/logger.ts';
import { loadReferenceData } from '../indicators/load.ts';
import { createWorker } from '../services/worker/index.ts';
import { freePortRun } from '../test/support/ports.ts';
import { generateProvinceYear } from './province-year.ts';
import type { Bench } from './types.ts';

const DOSSIERS = 300_000;

const seconds = async (f: () => Promise<unknown>) => {
  const t = Date.now();
  await f();
  return (Date.now() - t) / 1000;
};

const bench: Bench = {
  name: 'workflows',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'chiso-bench-wf-'));
    const port = await freePortRun(3);
    const cfg = loadConfig({ CHISO_DATA_DIR: dir, TEMPORAL_PORT: String(port), TEMPORAL_TASK_QUEUE: 'bench-workflows', CLICKHOUSE_DATABASE: 'bench_workflows', CHISO_LOG_LEVEL: 'warn' });
    const log = createLogger('warn');
    await startTemporal(cfg, () => undefined, { headless: true });
    const store = await openStore(cfg.clickhouse);
    const worker = createWorker({ cfg, store, log }, { schedule: false });
    const connection = await Connection.connect({ address: cfg.temporal.address });
    try {
      await migrate(store, log);
      await loadReferenceData(store, log);
      await generateProvinceYear(store, { dossiers: DOSSIERS, all: false });
      await worker.start();
      const client = new Client({ connection, namespace: cfg.temporal.namespace });
      const execute = (workflow: string, args: unknown[]) => client.workflow.execute(workflow, { taskQueue: cfg.temporal.taskQueue, workflowId: `bench-${workflow}-${Date.now()}`, args });

      const nightly = planPeriods(['2025-06-15']);
      const nightlyDirect = await seconds(() => computePeriods(store, [...nightly.days, ...nightly.longer], log));
      const nightlyTemporal = await seconds(() => execute('computeIndicators', [{ days: ['2025-06-15'] }]));

      const year = planPeriods(daysBetween('2025-01-01', '2025-12-31'));
      const yearDirect = await seconds(async () => {
        for (const part of chunk(year.days, 7)) await computePeriods(store, part, log);
        for (const part of chunk(year.longer, 4)) await computePeriods(store, part, log);
      });
      const yearTemporal = await seconds(() => execute('backfill', [{ from: '2025-01-01', to: '2025-12-31' }]));
      const notes = `${DOSSIERS.toLocaleString('en-US')} dossiers, 2,100 services, 7 wards; Temporal dev server (SQLite)`;
      return [
        { figure: 'nightly computeIndicators workflow, one day + its month, quarter, year', value: nightlyTemporal, unit: 's', baseline: 'the same periods computed in-process', baselineValue: nightlyDirect, notes },
        { figure: '365-day backfill workflow (53 day activities + 17 periods)', value: yearTemporal, unit: 's', baseline: 'the same plan computed in-process', baselineValue: yearDirect, target: '< 600 s', notes },
      ];
    } finally {
      await worker.stop().catch(() => undefined);
      await connection.close();
      await store.close();
      await stopTemporal(cfg);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
