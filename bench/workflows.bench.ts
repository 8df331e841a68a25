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
import { openStore, type Store } from '../infra/clickhouse/store.ts';
import { startTemporal, stopTemporal } from '../infra/temporal/server.ts';
import { loadConfig } from '../schemas/config.ts';
import { computePeriods } from '../services/indicators/compute.ts';
import { chunk, daysBetween, planPeriods } from '../services/indicators/periods.ts';
import { createLogger } from '../services/lib/logger.ts';
import { createWorker } from '../services/worker/index.ts';
import { freePortRun } from '../test/support/ports.ts';
import type { Bench } from './types.ts';

const DOSSIERS = 300_000;
const WARDS = ['X0101', 'X0102', 'X0103', 'X0104', 'X0201', 'X0202', 'X0203'];
const W = `['${WARDS.join("','")}']`;
const meta = `toDateTime64('2026-01-01 00:00:00', 3, 'Asia/Ho_Chi_Minh') AS updated_at, '' AS event_id, 'bench' AS run_id`;
const t2025 = (n: string) => `toDateTime64('2025-01-01 07:00:00', 3, 'Asia/Ho_Chi_Minh') + toIntervalSecond((${n} % 365) * 86400 + (${n} * 7919) % 36000)`;

async function generate(store: Store): Promise<void> {
  const db = store.db;
  const run = (query: string) => store.client.command({ query, clickhouse_settings: { wait_end_of_query: 1 } });
  await run(`INSERT INTO ${db}.services SELECT concat('S', toString(number)), ${W}[number % 7 + 1], concat('P', toString(intDiv(number, 7))), '', 'XA',
    [0, 1, 2][number % 3 + 1], number % 2 = 0, number % 5 = 0, toDate('2024-01-01'), NULL, ${meta} FROM numbers(2100)`);
  await run(`INSERT INTO ${db}.dossiers SELECT concat('D', toString(number)), ${W}[number % 7 + 1], concat('P', toString(number % 300)), '', '',
    [1, 2, 3][number % 3 + 1], [2, 4, 9, 10, 3, 1][number % 6 + 1], NULL, NULL, ${t2025('number')}, ${t2025('number')} + toIntervalDay(5),
    if(number % 2 = 0, ${t2025('number')} + toIntervalDay(number % 8), NULL), NULL, NULL,
    number % 4 = 0, number % 3 = 0, false, 2, number % 5 = 0, number % 2 = 0, NULL, ${meta} FROM numbers(${DOSSIERS})`);
}

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
      await generate(store);
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
