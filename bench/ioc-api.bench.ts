// IOC API latency over a province-year of indicator_values (1 province, 10 districts x 10 communes,
// 17 indicators, every day, month and year of 2025): p50/p95 of the scorecard (with the drill-down
// children) and of a one-year daily series, first on an idle store, then while an ingestion-like
// insert load writes into the same store. Target p95 < 100 ms; printed, not asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { migrate } from '../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../infra/clickhouse/store.ts';
import { loadConfig } from '../schemas/config.ts';
import { registerIocApi } from '../services/ioc-api/index.ts';
import { createLogger } from '../lib/logger.ts';
import type { Bench, BenchFigure } from './types.ts';

const TOKEN = 'bench-token-0123456789';
const INDICATORS = 17;
const ROUNDS = 60;

async function seed(store: Store): Promise<void> {
  const db = store.db;
  // T01 > H01..H10 > X0101..X1010
  await store.client.command({
    query: `INSERT INTO ${db}.units (code, name, level, parent_code, valid_from)
      SELECT 'T01', 'Tỉnh Bench', 'TINH', '', toDate('2020-01-01')
      UNION ALL SELECT concat('H', leftPad(toString(number + 1), 2, '0')), concat('Huyện ', toString(number + 1)), 'HUYEN', 'T01', toDate('2020-01-01') FROM numbers(10)
      UNION ALL SELECT concat('X', leftPad(toString(intDiv(number, 10) + 1), 2, '0'), leftPad(toString(number % 10 + 1), 2, '0')), concat('Xã ', toString(number + 1)), 'XA',
                       concat('H', leftPad(toString(intDiv(number, 10) + 1), 2, '0')), toDate('2020-01-01') FROM numbers(100)`,
  });
  await store.client.command({
    query: `INSERT INTO ${db}.indicators (code, name_vi, name_en, source, kind, description)
            SELECT concat('ind_', toString(number)), concat('Chỉ tiêu ', toString(number)), '', 'bench', 'flow', '' FROM numbers(${INDICATORS})`,
  });
  await store.client.command({
    query: `INSERT INTO ${db}.targets (plan, indicator, scope_unit, scope_level, year, comparator, value)
            SELECT 'bench', concat('ind_', toString(number % ${INDICATORS})), '', ['TINH', 'HUYEN', 'XA'][intDiv(number, ${INDICATORS}) + 1], 2025, '>=', 80 FROM numbers(${INDICATORS * 3})`,
  });
  const units = `(SELECT code FROM ${db}.units)`;
  for (const [period, starts] of [
    ['day', `arrayMap(d -> toDate('2025-01-01') + d, range(365))`],
    ['month', `arrayMap(m -> addMonths(toDate('2025-01-01'), m), range(12))`],
    ['year', `[toDate('2025-01-01')]`],
  ] as const) {
    await store.client.command({
      query: `INSERT INTO ${db}.indicator_values (indicator, unit_code, period, period_start, numerator, denominator, value, computed_at)
              SELECT concat('ind_', toString(i)), u.code, '${period}', s, 70 + (cityHash64(u.code, i, s) % 30), 100, 70 + (cityHash64(u.code, i, s) % 30), now64(3)
              FROM ${units} AS u ARRAY JOIN range(${INDICATORS}) AS i ARRAY JOIN ${starts} AS s`,
    });
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

const bench: Bench = {
  name: 'IOC API',
  async run(): Promise<BenchFigure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'chiso-bench-ioc-'));
    const cfg = loadConfig({ CHISO_DATA_DIR: dir, CLICKHOUSE_DATABASE: 'bench_ioc', CHISO_API_TOKENS: TOKEN, CHISO_LOG_LEVEL: 'warn' });
    const log = createLogger('warn');
    const store = await openStore(cfg.clickhouse);
    try {
      await migrate(store, log);
      await seed(store);
      const app = Fastify();
      await registerIocApi(app, { cfg, store, log });
      await app.ready();
      const time = async (url: string) => {
        const t = performance.now();
        const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
        if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
        return performance.now() - t;
      };
      const ward = (i: number) => `X${String((i % 10) + 1).padStart(2, '0')}${String((i % 7) + 1).padStart(2, '0')}`;
      const measure = async () => {
        const score: number[] = [];
        const series: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          score.push(await time(`/api/v1/scorecard?unit=${i % 2 ? 'T01' : ward(i)}&year=2025&children=true`));
          series.push(await time(`/api/v1/values?unit=${ward(i)}&indicator=ind_${i % INDICATORS}&period=day&from=2025-01-01&to=2025-12-31`));
        }
        return { score, series };
      };
      await measure(); // warm-up: caches of the units tree and the engine
      const idle = await measure();

      // Ingestion-like load: batches of 20k rows for 2024 (not read by the measured queries) into the same store.
      let loading = true;
      let inserted = 0;
      const load = (async () => {
        let batch = 0;
        while (loading) {
          await store.client.command({
            query: `INSERT INTO ${store.db}.indicator_values (indicator, unit_code, period, period_start, numerator, denominator, value, computed_at)
                    SELECT concat('ind_', toString(number % ${INDICATORS})), 'T01', 'day', toDate('2024-01-01') + (number + ${batch}) % 366, 1, 2, 50, now64(3) FROM numbers(20000)`,
          });
          inserted += 20000;
          batch++;
        }
      })();
      const busy = await measure();
      loading = false;
      await load;
      await app.close();

      const fig = (figure: string, xs: number[], q: number, notes: string): BenchFigure => ({ figure, value: quantile(xs, q), unit: 'ms', target: '< 100 ms (p95)', notes });
      const note = `${ROUNDS} requests; 111 units x ${INDICATORS} indicators x 365 days`;
      return [
        fig('scorecard p50 (idle)', idle.score, 0.5, note),
        fig('scorecard p95 (idle)', idle.score, 0.95, note),
        fig('one-year daily series p50 (idle)', idle.series, 0.5, note),
        fig('one-year daily series p95 (idle)', idle.series, 0.95, note),
        { ...fig('scorecard p95 (during ingestion)', busy.score, 0.95, `${note}; ${inserted} rows inserted meanwhile`), baseline: 'idle', baselineValue: quantile(idle.score, 0.95) },
        { ...fig('one-year daily series p95 (during ingestion)', busy.series, 0.95, `${note}; ${inserted} rows inserted meanwhile`), baseline: 'idle', baselineValue: quantile(idle.series, 0.95) },
      ];
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
