// v_scorecard on the shipped reference data (infra/data): seed 003's digital economy row, 11.4 %
// of GRDP against a target of 14, shows an attainment of 81.4 and not met; a level-scoped target
// applies to every unit of that level; a missing value is no_data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { loadReferenceData, writeManual } from '../../indicators/load.ts';
import { createLogger } from '../../lib/logger.ts';
import { testConfig } from '../support/env.ts';

const log = createLogger('warn');

describe('v_scorecard', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore(testConfig().clickhouse);
    await migrate(store, log);
    await loadReferenceData(store, log);
    await loadReferenceData(store, log); // loading twice changes nothing readers see
  });
  afterAll(async () => {
    await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
    await store.close();
  });

  it('reproduces seed 003: 11.4 against 14 is 81.4 % attainment, not met', async () => {
    await writeManual(store, [
      { indicator: 'digital_economy_grdp', unit_code: 'H01', period: 'year', period_start: '2024-01-01', value: 11.4 },
      { indicator: 'digital_economy_grdp', unit_code: 'H02', period: 'year', period_start: '2024-01-01', value: 15 },
    ]);
    const rows = await select<{ unit_code: string; target: number; value: number | null; attainment: number | null; status: string; comparator: string }>(
      store,
      `SELECT unit_code, target, value, attainment, status, comparator FROM ${store.db}.v_scorecard
       WHERE plan = '003' AND indicator = 'digital_economy_grdp' AND year = 2024 ORDER BY unit_code`,
    );
    // The target is scoped to the HUYEN level: both the city and the district get it.
    expect(rows).toEqual([
      { unit_code: 'H01', target: 14, value: 11.4, attainment: 81.4, status: 'not_met', comparator: '>=' },
      { unit_code: 'H02', target: 14, value: 15, attainment: 107.1, status: 'met', comparator: '>=' },
    ]);
  });

  it('shows no_data for a target without a value, and loads the catalogue, units and every target once', async () => {
    const [nd] = await select<{ status: string; attainment: number | null }>(
      store,
      `SELECT status, attainment FROM ${store.db}.v_scorecard WHERE plan = '001' AND indicator = 'outgoing_signed' AND unit_code = 'X0201' AND year = 2025`,
    );
    expect(nd).toEqual({ status: 'no_data', attainment: null });
    const [counts] = await select<{ i: number; u: number; t: number }>(
      store,
      `SELECT (SELECT count() FROM ${store.db}.indicators FINAL) AS i, (SELECT count() FROM ${store.db}.units FINAL) AS u, (SELECT count() FROM ${store.db}.targets FINAL) AS t`,
    );
    expect(counts).toEqual({ i: 25, u: 10, t: 59 });
  });
});
