// Every indicator of INDICATORS.md on the hand-made fixture of indicators-fixture.ts, computed in
// chDB by the same SQL the activities run. Worked arithmetic for the ward X0101, March 2025:
//   received: D01 D02 D03 D04 D07 (D05 never received, D06 refused) = 5; online D01 D03 D04 = 3 -> 60
//   of online services (P1 full, P2 partial; P3 is not one): D01 D02 D03 D07 = 4; full+online D01 -> 25,
//     partial+online D03 (a partial service's online dossier) -> 25
//   digitized D01 D04 -> 40; reused D03 -> 20; VNeID among online: D01 -> 33.33
//   resolved D01 (on time) D03 (late) D07 (no due date: on time); e-result D01 D07 -> 66.67, on time 66.67
//   catalogue on 31 March: P1 full, P2 partial, P4 full (from 15 March) -> full 66.67, redesigned (P1) 33.33
//   procedures with a received dossier of an online service: P1 P2, both with an online one -> 100
//     (by day: 1 March 2/2, 2 March 0/1: no sum of days gives 100)
//   payments counted for X0101: PM1 (recorded by H01 for D01) online, PM2 in person, PM6 in person -> 33.33;
//     procedures P1 (paid online) P7 -> 50; ratings R1 (via D01) satisfied, R2 not -> 50
//   outgoing non-secret V1 V2 V4 (V3 secret, V5 incoming); signed V1 -> 33.33; to state agencies V1 V2,
//     electronic V1 -> 50; work records W1 W2 (W3 secret), online W1 -> 50
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { CATALOGUE } from '../../indicators/catalogue.ts';
import { computePeriods } from '../../indicators/compute.ts';
import { writeManual } from '../../indicators/load.ts';
import { planPeriods } from '../../indicators/periods.ts';
import { createLogger } from '../../lib/logger.ts';
import { testConfig } from '../support/env.ts';
import { insertFixture } from './indicators-fixture.ts';

const log = createLogger('warn');
const DAYS = ['2025-03-01', '2025-03-02', '2025-03-03'];
type Row = { indicator: string; unit_code: string; period: string; period_start: string; numerator: number; denominator: number; value: number | null };

const r2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

describe('indicator computation on a hand-made fixture', () => {
  let store: Store;
  let rows: Row[];
  const value = (indicator: string, unit: string, period: string, start: string) => {
    const r = rows.find((x) => x.indicator === indicator && x.unit_code === unit && x.period === period && x.period_start === start);
    if (!r) throw new Error(`no row for ${indicator} ${unit} ${period} ${start}`);
    return r2(r.value);
  };
  const all = (unit: string, period: string, start: string) =>
    Object.fromEntries(CATALOGUE.filter((i) => i.kind !== 'manual').map((i) => [i.code, value(i.code, unit, period, start)]));
  const read = async () => select<Row>(store, `SELECT indicator, unit_code, toString(period) AS period, toString(period_start) AS period_start, numerator, denominator, value FROM ${store.db}.v_indicator_values`);

  beforeAll(async () => {
    store = await openStore(testConfig().clickhouse);
    await migrate(store, log);
    await insertFixture(store);
    const plan = planPeriods(DAYS);
    await computePeriods(store, plan.days, log);
    await computePeriods(store, plan.longer, log);
    rows = await read();
  });
  afterAll(async () => {
    await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
    await store.close();
  });

  it('computes every indicator of a ward for March (flow, distinct, stock at the month end)', () => {
    expect(all('X0101', 'month', '2025-03-01')).toEqual({
      dossier_online: 60, dossier_fully_online: 25, dossier_partially_online: 25, dossier_digitized: 40,
      result_electronic: 66.67, document_reuse: 20, resolved_on_time: 66.67, online_vneid: 33.33,
      service_fully_online: 66.67, service_with_online_dossiers: 100, service_redesigned: 33.33,
      payment_online: 33.33, procedure_fee_online: 50, satisfaction: 50,
      outgoing_signed: 33.33, documents_electronic: 50, work_records_online: 50,
    });
  });

  it('rolls the wards up into their city: sums for flows, recounts for distinct, stock of the subtree', () => {
    // Adds X0102: D11 (online, P1 full, VNeID), D12 (online, P2 partial, digitized, reused), D13 (in person, resolved on time);
    // PM3 online (P5), PM5 in person; R3 satisfied; V7 issued by the city itself (signed, to agencies); W4 online.
    // Catalogue on 31 March: X0101 P1 P2 P4 + X0102 P1 (its P2 ended on 20 March) -> 3 full of 4, 1 redesigned.
    expect(all('H01', 'month', '2025-03-01')).toEqual({
      dossier_online: 62.5, dossier_fully_online: 28.57, dossier_partially_online: 28.57, dossier_digitized: 37.5,
      result_electronic: 50, document_reuse: 25, resolved_on_time: 75, online_vneid: 40,
      service_fully_online: 75, service_with_online_dossiers: 100, service_redesigned: 25,
      payment_online: 40, procedure_fee_online: 66.67, satisfaction: 66.67,
      outgoing_signed: 50, documents_electronic: 66.67, work_records_online: 66.67,
    });
    // The province has only this city with data; the district H02 has none.
    expect(value('dossier_online', 'T01', 'month', '2025-03-01')).toBe(62.5);
    expect(value('dossier_online', 'H02', 'month', '2025-03-01')).toBeNull();
  });

  it('computes a day, with NULL where the denominator is 0', () => {
    expect(all('X0101', 'day', '2025-03-01')).toEqual({
      dossier_online: 66.67, dossier_fully_online: 33.33, dossier_partially_online: 33.33, dossier_digitized: 33.33,
      result_electronic: null, document_reuse: 33.33, resolved_on_time: null, online_vneid: 50,
      service_fully_online: 50, service_with_online_dossiers: 100, service_redesigned: 50,
      payment_online: 50, procedure_fee_online: 100, satisfaction: 50,
      outgoing_signed: 50, documents_electronic: 50, work_records_online: 50,
    });
    expect(value('dossier_online', 'X0101', 'day', '2025-03-03')).toBeNull();
    // D07 had no due date (on time), D03 was late.
    expect(value('resolved_on_time', 'X0101', 'day', '2025-03-03')).toBe(50);
  });

  it('ignores secret documents and work records entirely', () => {
    // X0102's only document (V6) is top secret, its W5 absolutely secret: no data, not 0 and not 100.
    expect(value('outgoing_signed', 'X0102', 'month', '2025-03-01')).toBeNull();
    expect(value('work_records_online', 'X0102', 'day', '2025-03-03')).toBeNull();
    expect(value('work_records_online', 'X0101', 'day', '2025-03-02')).toBeNull(); // W3 is secret
  });

  it('recounts a distinct indicator over the month instead of adding its days', () => {
    const days = rows.filter((r) => r.indicator === 'service_with_online_dossiers' && r.unit_code === 'X0101' && r.period === 'day');
    const num = days.reduce((s, r) => s + r.numerator, 0);
    const den = days.reduce((s, r) => s + r.denominator, 0);
    expect([num, den]).toEqual([2, 3]);
    expect(value('service_with_online_dossiers', 'X0101', 'month', '2025-03-01')).toBe(100);
  });

  it('writes quarters and years (year-to-date) as sums of records, not averages of days', () => {
    expect(value('dossier_online', 'X0101', 'quarter', '2025-01-01')).toBe(60);
    expect(value('dossier_online', 'H01', 'year', '2025-01-01')).toBe(62.5);
  });

  it('replaces values on recomputation instead of accumulating', async () => {
    const before = rows.length;
    await computePeriods(store, planPeriods(DAYS).days, log);
    await computePeriods(store, planPeriods(DAYS).longer, log);
    const again = await read();
    expect(again.length).toBe(before);
    const key = (r: Row) => `${r.indicator}|${r.unit_code}|${r.period}|${r.period_start}|${r.numerator}|${r.denominator}`;
    expect(new Set(again.map(key))).toEqual(new Set(rows.map(key)));
  });

  it('writes imported manual values and refuses unknown units', async () => {
    const r = await writeManual(store, [
      { indicator: 'digital_economy_grdp', unit_code: 'H01', period: 'year', period_start: '2024-01-01', value: 11.4 },
      { indicator: 'digital_economy_grdp', unit_code: 'ZZZ', period: 'year', period_start: '2024-01-01', value: 12, line: 3 },
    ]);
    expect(r.written).toBe(1);
    expect(r.errors).toEqual([{ line: 3, field: 'unit_code', reason: expect.stringContaining('unknown unit ZZZ') }]);
    const [m] = await select<{ value: number }>(store, `SELECT value FROM ${store.db}.v_indicator_values WHERE indicator = 'digital_economy_grdp' AND unit_code = 'H01'`);
    expect(m?.value).toBe(11.4);
  });
});
