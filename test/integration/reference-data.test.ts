// Units and targets are the operator's: a worker loads only the indicator catalogue, and the demo
// units and targets that `chiso start` loads with the samples go only into an empty store. Imported
// units and targets survive worker restarts and later `chiso start`s unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { loadDemoReference } from '../../services/cli/commands/demo-reference.ts';
import { CATALOGUE } from '../../indicators/catalogue.ts';
import { parseCsv } from '../../indicators/import.ts';
import { demoReferenceRows, writeTargets, writeUnits } from '../../indicators/load.ts';
import { createLogger } from '../../lib/logger.ts';
import type { Service } from '../../lib/service.ts';
import { createWorker } from '../../services/worker/index.ts';
import { randomName, testConfig } from '../support/env.ts';

const log = createLogger('warn');

// What an operator imports (`chiso import-units` / `import-targets` parse the same way).
const OWN_UNITS = parseCsv('units', 'code,name,level,parent_code,valid_from,valid_to\nP01,Tỉnh Thử Nghiệm,TINH,,2024-01-01,\nP0101,Xã Thử Nghiệm,XA,P01,2024-01-01,\n');
const OWN_TARGETS = parseCsv('targets', 'plan,indicator,scope_unit,scope_level,year,comparator,value\n900,dossier_online,,XA,2026,>=,55\n');

describe('reference data is the operator\'s', () => {
  let cfg: Config;
  let store: Store;
  const workers: Service[] = [];
  const say = (line: string) => void line;

  const units = async (s: Store) => (await select<{ code: string; name: string }>(s, `SELECT code, name FROM ${s.db}.units FINAL ORDER BY code`));
  const targets = async (s: Store) => (await select<{ plan: string; value: number }>(s, `SELECT plan, value FROM ${s.db}.targets FINAL ORDER BY plan`));
  const startWorker = async (s: Store): Promise<Service> => {
    const w = createWorker({ cfg, store: s, log }, { schedule: false });
    workers.push(w);
    await w.start();
    return w;
  };

  beforeAll(async () => {
    cfg = testConfig({ TEMPORAL_TASK_QUEUE: randomName('tq') });
    store = await openStore(cfg.clickhouse);
    await migrate(store, log);
  });
  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await store?.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
    await store?.close();
  });

  it('keeps imported units and targets through worker restarts and `chiso start`\'s demo load', async () => {
    expect([...OWN_UNITS.errors, ...OWN_TARGETS.errors]).toEqual([]);
    await writeUnits(store, OWN_UNITS.rows);
    await writeTargets(store, OWN_TARGETS.rows);
    const before = { units: await units(store), targets: await targets(store) };
    expect(before.units.map((u) => u.code)).toEqual(['P01', 'P0101']);

    const first = await startWorker(store);
    // The worker loads the catalogue the computation reads, and nothing else.
    const [n] = await select<{ n: string }>(store, `SELECT toString(count()) AS n FROM ${store.db}.indicators FINAL`);
    expect(Number(n?.n)).toBe(CATALOGUE.length);
    expect({ units: await units(store), targets: await targets(store) }).toEqual(before);

    // What `chiso start` does with the samples: the demo rows, only into empty tables.
    const r = await loadDemoReference(cfg, log, say);
    expect(r.units).toMatchObject({ written: 0, kept: true });
    expect(r.targets).toMatchObject({ written: 0, kept: true });
    expect({ units: await units(store), targets: await targets(store) }).toEqual(before);

    // A restart of the worker, then another `chiso start`.
    await first.stop();
    await startWorker(store);
    await loadDemoReference(cfg, log, say);
    expect({ units: await units(store), targets: await targets(store) }).toEqual(before);
  });

  it('loads the demo units and targets into an empty store, once', async () => {
    await store.client.command({ query: `TRUNCATE TABLE ${store.db}.units` });
    await store.client.command({ query: `TRUNCATE TABLE ${store.db}.targets` });
    const demo = demoReferenceRows(log);
    const r = await loadDemoReference(cfg, log, say);
    expect(r.units).toMatchObject({ written: demo.units.length, kept: false });
    expect(r.targets).toMatchObject({ written: demo.targets.length, kept: false });
    expect((await units(store)).map((u) => u.code)).toEqual(demo.units.map((u) => u.code).sort());
    const again = await loadDemoReference(cfg, log, say);
    expect(again.units.kept).toBe(true);
  });
});
