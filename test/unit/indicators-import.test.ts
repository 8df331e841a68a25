// CSV validation of units, targets and manual values: every bad row comes back with its line, field
// and reason; the shipped reference data validates cleanly; the period helpers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../indicators/catalogue.ts';
import { parseCsv } from '../../indicators/import.ts';
import { DATA_DIR } from '../../indicators/load.ts';
import { daysBetween, isDay, planPeriods } from '../../indicators/periods.ts';

describe('indicator imports', () => {
  it('accepts the shipped units and targets', () => {
    const units = parseCsv('units', readFileSync(`${DATA_DIR}units.csv`, 'utf8'));
    const targets = parseCsv('targets', readFileSync(`${DATA_DIR}targets.csv`, 'utf8'));
    expect(units.errors).toEqual([]);
    expect(targets.errors).toEqual([]);
    expect(units.rows.map((u) => u.code)).toEqual(['T01', 'H01', 'X0101', 'X0102', 'X0103', 'X0104', 'H02', 'X0201', 'X0202', 'X0203']);
    expect(targets.rows).toContainEqual({ plan: '003', indicator: 'dossier_online', scope_unit: '', scope_level: 'HUYEN', year: 2024, comparator: '>=', value: 60 });
  });

  it('reports each bad row with its line, field and reason', () => {
    const r = parseCsv('units', 'code,name,level,parent_code,valid_from,valid_to\nX9,Xã Mới,XA,H01,2025-07-01,\nX8,,PHUONG,X8,2025-02-30,2024-01-01\n');
    expect(r.rows.map((u) => u.code)).toEqual(['X9']);
    expect(r.errors.map((e) => `${e.line}:${e.field}`)).toEqual(expect.arrayContaining(['3:name', '3:level', '3:valid_from']));
    const t = parseCsv('targets', 'plan,indicator,scope_unit,scope_level,year,comparator,value\n003,nope,H01,,2024,>=,14\n003,satisfaction,H01,HUYEN,2024,<,14\n');
    expect(t.errors).toEqual(expect.arrayContaining([
      { line: 2, field: 'indicator', reason: expect.stringContaining('unknown indicator') },
      { line: 3, field: 'comparator', reason: 'expected >=, > or =' },
    ]));
    expect(parseCsv('manual', 'indicator,unit\n').errors[0]?.reason).toContain('missing column(s) unit_code, period, period_start, value');
  });

  it('has every indicator of INDICATORS.md with a Vietnamese name', () => {
    expect(CATALOGUE.filter((i) => i.kind !== 'manual')).toHaveLength(17);
    expect(CATALOGUE.find((i) => i.code === 'dossier_online')?.name_vi).toBe('Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến');
  });

  it('plans the periods of a set of days', () => {
    expect(isDay('2025-02-29')).toBe(false);
    expect(daysBetween('2024-12-30', '2025-01-02')).toEqual(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02']);
    expect(planPeriods(['2025-03-31', '2025-04-01']).longer).toEqual([
      { period: 'quarter', start: '2025-01-01', end: '2025-03-31' },
      { period: 'year', start: '2025-01-01', end: '2025-12-31' },
      { period: 'month', start: '2025-03-01', end: '2025-03-31' },
      { period: 'month', start: '2025-04-01', end: '2025-04-30' },
      { period: 'quarter', start: '2025-04-01', end: '2025-06-30' },
    ]);
  });
});
