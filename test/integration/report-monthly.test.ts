// The monthly report: the XLSX from the API read back with exceljs and with LibreOffice (soffice
// --convert-to csv), its numbers equal to the API's CSV; and the monthly workflow on the real
// Temporal server storing every parent unit's report so that the API serves the stored copy.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { ensureMonthlyReportSchedule } from '../../services/worker/report-schedule.ts';
import { XLSX_HEADER_ROW } from '../../indicators/report/xlsx.ts';
import { createLogger } from '../../lib/logger.ts';
import { createReportActivities } from '../../workflows/activities/report.ts';
import { previousMonth } from '../../workflows/monthly-report.ts';
import { randomName } from '../support/env.ts';
import { TOKENS } from './fixtures/ioc-seed.ts';
import { type SeededIocApi, startSeededIocApi } from './ioc-app.ts';

Runtime.install({ logger: new DefaultLogger('WARN') });
const log = createLogger('warn');
let cfg: Config;
let store: Store;
let app: FastifyInstance;
const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKENS.admin}` } });

/** The API's CSV as rows of [indicator, target, result, attainment] numbers (null when empty). */
async function apiNumbers(unit: string, month: string): Promise<(string | number | null)[][]> {
  const csv = (await get(`/api/v1/reports/monthly?unit=${unit}&month=${month}&format=csv`)).body.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
  const n = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
  return csv.map((l) => l.split(',')).map((c) => [c[2] ?? '', n(c[5]), n(c[6]), n(c[7])]);
}

let api: SeededIocApi | undefined;

beforeAll(async () => {
  api = await startSeededIocApi(log);
  ({ cfg, store, app } = api);
});
afterAll(async () => {
  await api?.stop();
});

describe('monthly report', () => {
  it('opens with exceljs and LibreOffice, with the numbers of the API', async () => {
    const expected = await apiNumbers('X0101', '2025-02');
    expect(expected).toEqual([
      ['Tỷ lệ văn bản đi điện tử ký số chuyên dụng', 100, 100, 100],
      ['Tỷ lệ hồ sơ công việc xử lý trên môi trường mạng', 95, 97.25, 102.4],
    ]);
    const xlsx = (await get('/api/v1/reports/monthly?unit=X0101&month=2025-02')).rawPayload;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('no worksheet');
    expect(ws.getRow(XLSX_HEADER_ROW).values).toEqual([undefined, 'STT', 'Nội dung chỉ tiêu', 'Kế hoạch', 'Mục tiêu', 'Kết quả', 'So với mục tiêu', 'Đánh giá']);
    const fromExcel = [1, 2].map((i) => {
      const r = ws.getRow(XLSX_HEADER_ROW + i);
      return [r.getCell(2).value, r.getCell(4).value, r.getCell(5).value, r.getCell(6).value];
    });
    expect(fromExcel).toEqual(expected);
    expect(ws.getRow(XLSX_HEADER_ROW + 2).getCell(7).value).toBe('Đạt');

    // LibreOffice renders the cells with their number formats ("≥ 95.0%"): compare the numbers.
    const dir = mkdtempSync(join(tmpdir(), 'chiso-lo-'));
    writeFileSync(join(dir, 'report.xlsx'), xlsx);
    execFileSync('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', '--outdir', dir, join(dir, 'report.xlsx')], { stdio: 'pipe', timeout: 120_000 });
    const lines = parse(readFileSync(join(dir, 'report.csv'), 'utf8'), { relax_column_count: true }) as string[][];
    const header = lines.findIndex((l) => l[0] === 'STT');
    expect(header).toBeGreaterThanOrEqual(0);
    const num = (s: string | undefined) => (s ? Number(/-?\d+(?:[.,]\d+)?/.exec(s)?.[0].replace(',', '.')) : null);
    const fromLo = lines.slice(header + 1, header + 3).map((c) => [c[1], num(c[3]), num(c[4]), num(c[5])]);
    // The formats show one decimal: compare at that precision.
    expect(fromLo).toEqual(expected.map(([name, t, r, a]) => [name, t, Math.round(Number(r) * 10) / 10, a]));
  });

  it('is produced by the monthly workflow for every parent unit and stays downloadable', async () => {
    const taskQueue = randomName('tq');
    const connection = await Connection.connect({ address: cfg.temporal.address });
    const client = new Client({ connection, namespace: cfg.temporal.namespace });
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address: cfg.temporal.address }),
      namespace: cfg.temporal.namespace,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../../workflows/monthly-report.ts', import.meta.url)),
      activities: createReportActivities({ cfg, store, log }),
    });
    const result = await worker.runUntil(client.workflow.execute('monthlyReport', { taskQueue, workflowId: randomName('report'), args: [{ month: '2025-02' }] }));
    await connection.close();
    expect(result.month).toBe('2025-02');
    expect(result.reports.map((r: { unit: string }) => r.unit)).toEqual(['H01', 'H02', 'T01']);
    const stored = await select<{ unit_code: string; format: string }>(store, `SELECT unit_code, toString(format) AS format FROM ${store.db}.reports FINAL ORDER BY unit_code, format`);
    expect(stored).toHaveLength(6);
    const list = (await get('/api/v1/reports')).json();
    expect(list.reports.map((r: { unit: string }) => r.unit).sort()).toEqual(['H01', 'H02', 'T01']);
    const csv = await get('/api/v1/reports/monthly?unit=H01&month=2025-02&format=csv&stored=true');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến,003,≥,70,15,21.4,Chưa đạt');
    const xlsx = await get('/api/v1/reports/monthly?unit=H01&month=2025-02&stored=true');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('is scheduled on the 1st of each month, idempotently, for the month just ended', async () => {
    expect(previousMonth(Date.parse('2025-02-28T19:00:00Z'))).toBe('2025-02'); // 02:00 on 1 March in Hà Nội is still February in UTC
    expect(previousMonth(Date.parse('2025-01-01T00:00:00Z'))).toBe('2024-12');
    const connection = await Connection.connect({ address: cfg.temporal.address });
    const client = new Client({ connection, namespace: cfg.temporal.namespace });
    const id = randomName('monthly-report');
    try {
      expect(await ensureMonthlyReportSchedule(client, 'tq-unused', log, id)).toBe('created');
      expect(await ensureMonthlyReportSchedule(client, 'tq-unused', log, id)).toBe('updated');
      const d = await client.schedule.getHandle(id).describe();
      expect(d.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1, step: 1 }], hour: [{ start: 2, end: 2, step: 1 }] });
      expect(d.spec.timezone).toBe('Asia/Ho_Chi_Minh');
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'monthlyReport' });
    } finally {
      await client.schedule.getHandle(id).delete();
      await connection.close();
    }
  });
});
