// The IOC API on chDB in this process, through Fastify's inject: every endpoint with good and bad
// parameters, tokens missing, wrong or out of scope, SQL injection in every parameter (400, tables
// unchanged), and the scorecard equal to v_scorecard.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { RUN_ID, tableCounts, TOKENS } from './fixtures/ioc-seed.ts';
import { type SeededIocApi, startSeededIocApi } from './ioc-app.ts';

let store: Store;
let app: FastifyInstance;
const log = createLogger('warn');

const get = (url: string, token: string | null = TOKENS.admin) => app.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

let api: SeededIocApi | undefined;

beforeAll(async () => {
  api = await startSeededIocApi(log);
  ({ store, app } = api);
});
afterAll(async () => {
  await api?.stop();
});

const ENDPOINTS = [
  '/api/v1/units',
  '/api/v1/indicators',
  '/api/v1/values?unit=X0101',
  '/api/v1/scorecard?unit=H01&year=2025',
  '/api/v1/reports/monthly?unit=H01&month=2025-02',
  '/api/v1/reports',
  '/api/v1/runs',
  `/api/v1/runs/${RUN_ID}`,
  `/api/v1/rejects?run=${RUN_ID}`,
];

describe('authentication and scope', () => {
  it('answers 401 without a token or with a wrong one, on every endpoint', async () => {
    for (const url of ENDPOINTS) {
      for (const token of [null, 'not-a-known-token-000']) {
        const r = await get(url, token);
        expect(r.statusCode, `${url} ${token}`).toBe(401);
        expect(r.json()).toMatchObject({ error: 'unauthorized', field: 'authorization' });
      }
    }
    const malformed = await app.inject({ method: 'GET', url: '/api/v1/units', headers: { authorization: `Basic ${TOKENS.admin}` } });
    expect(malformed.statusCode).toBe(401);
  });

  it('lets a ward token see its ward only', async () => {
    const units = (await get('/api/v1/units', TOKENS.ward)).json();
    expect(units.units.map((u: { code: string }) => u.code)).toEqual(['X0101']);
    expect((await get('/api/v1/scorecard?unit=X0101&year=2025', TOKENS.ward)).statusCode).toBe(200);
    for (const url of ['/api/v1/scorecard?unit=H01&year=2025', '/api/v1/scorecard?unit=X0102&year=2025', '/api/v1/values?unit=T01', '/api/v1/reports/monthly?unit=H01&month=2025-02']) {
      const r = await get(url, TOKENS.ward);
      expect(r.statusCode, url).toBe(403);
      expect(r.json()).toMatchObject({ error: 'forbidden', field: 'unit' });
    }
    for (const url of ['/api/v1/runs', `/api/v1/runs/${RUN_ID}`, `/api/v1/rejects?run=${RUN_ID}`]) expect((await get(url, TOKENS.ward)).statusCode, url).toBe(403);
    const q = await app.inject({ method: 'POST', url: '/api/v1/internal/query', headers: { authorization: `Bearer ${TOKENS.ward}` }, payload: { sql: 'SELECT 1' } });
    expect(q.statusCode).toBe(403);
  });

  it('lets a city token see the city and its wards, nothing else', async () => {
    const units = (await get('/api/v1/units', TOKENS.city)).json();
    expect(units.units.map((u: { code: string }) => u.code).sort()).toEqual(['H01', 'X0101', 'X0102']);
    expect((await get('/api/v1/scorecard?unit=X0102&year=2025', TOKENS.city)).statusCode).toBe(200);
    expect((await get('/api/v1/scorecard?unit=H02&year=2025', TOKENS.city)).statusCode).toBe(403);
    expect((await get('/api/v1/scorecard?unit=T01&year=2025', TOKENS.city)).statusCode).toBe(403);
    expect((await get('/api/v1/scorecard?unit=NOPE&year=2025', TOKENS.city)).statusCode).toBe(403);
    expect((await get('/api/v1/scorecard?unit=NOPE&year=2025')).statusCode).toBe(404);
  });
});

describe('endpoints', () => {
  it('lists units and indicators with their Vietnamese names', async () => {
    const units = (await get('/api/v1/units')).json();
    expect(units.units).toHaveLength(6);
    expect(units.units.find((u: { code: string }) => u.code === 'X0101')).toMatchObject({ name: 'Phường Trần Phú', level: 'XA', parent_code: 'H01' });
    const inds = (await get('/api/v1/indicators')).json();
    expect(inds.indicators.map((i: { code: string }) => i.code)).toEqual(['dossier_online', 'outgoing_signed', 'satisfaction', 'work_records_online']);
    expect(inds.indicators[0]).toMatchObject({ name_vi: 'Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến', kind: 'flow' });
  });

  it('serves daily and monthly series', async () => {
    const day = (await get('/api/v1/values?indicator=work_records_online&unit=X0101&period=day&from=2025-01-01&to=2025-01-31')).json();
    expect(day.values).toHaveLength(31);
    expect(day.values[0]).toMatchObject({ indicator: 'work_records_online', unit: 'X0101', period: 'day', period_start: '2025-01-01', value: 90 });
    const month = (await get('/api/v1/values?indicator=work_records_online&unit=X0101&period=month&from=2025-01-01&to=2025-12-31')).json();
    expect(month.values.map((v: { period_start: string }) => v.period_start)).toEqual(['2025-01-01', '2025-02-01', '2025-03-01']);
    expect(month.values[1].value).toBeCloseTo(97.25, 6);
  });

  it('serves the scorecard with the numbers of v_scorecard, and the children for drill-down', async () => {
    for (const unit of ['T01', 'H01', 'X0101', 'X0102', 'X0201']) {
      const api = (await get(`/api/v1/scorecard?unit=${unit}&year=2025`)).json();
      const view = await select<Record<string, unknown>>(
        store,
        `SELECT plan, indicator, toFloat64(target) AS target, comparator, value, attainment, status FROM ${store.db}.v_scorecard WHERE unit_code = {u:String} AND year = 2025 ORDER BY plan, indicator`,
        { u: unit },
      );
      const mine = api.rows.map((r: Record<string, unknown>) => ({ plan: r.plan, indicator: r.indicator, target: r.target, comparator: r.comparator, value: r.value, attainment: r.attainment, status: r.status }));
      expect(mine, unit).toEqual(view.map((v) => ({ ...v, target: Number(v.target), value: v.value === null ? null : Number(v.value), attainment: v.attainment === null ? null : Number(v.attainment) })));
      expect(view.length, unit).toBeGreaterThan(0);
    }
    const h01 = (await get('/api/v1/scorecard?unit=H01&year=2025&plan=003&children=true')).json();
    expect(h01.rows).toEqual([expect.objectContaining({ indicator: 'dossier_online', target: 70, value: 12.8, attainment: 18.3, status: 'not_met', name_vi: 'Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến' })]);
    expect(h01.children.map((c: { code: string }) => c.code)).toEqual(['X0101', 'X0102']);
    expect(h01.children[0].rows).toEqual([expect.objectContaining({ indicator: 'work_records_online', value: 96.5, status: 'met' })]);
    const ward = (await get('/api/v1/scorecard?unit=X0201&year=2025')).json();
    expect(ward.rows.find((r: { indicator: string }) => r.indicator === 'work_records_online')).toMatchObject({ value: null, attainment: null, status: 'no_data' });
  });

  it('serves the monthly report as CSV and XLSX', async () => {
    const csv = await get('/api/v1/reports/monthly?unit=H01&month=2025-02&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('STT,Mã chỉ tiêu,Nội dung chỉ tiêu,Kế hoạch,Điều kiện,Mục tiêu (%),Kết quả (%),So với mục tiêu (%),Đánh giá');
    expect(lines[1]).toBe('1,dossier_online,Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến,003,≥,70,15,21.4,Chưa đạt');
    const xlsx = await get('/api/v1/reports/monthly?unit=H01&month=2025-02');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await get('/api/v1/reports/monthly?unit=H01&month=2025-02&stored=true')).statusCode).toBe(404);
  });

  it('serves the ingestion ledger and its rejects', async () => {
    expect((await get('/api/v1/runs')).json().runs).toHaveLength(2);
    const failed = (await get('/api/v1/runs?status=failed&source=one-stop-shop&since=2025-01-01')).json();
    expect(failed.runs.map((r: { run_id: string }) => r.run_id)).toEqual([RUN_ID]);
    expect(failed.runs[0]).toMatchObject({ read: 10, accepted: 8, rejected: 2, status: 'failed' });
    const one = (await get(`/api/v1/runs/${RUN_ID}`)).json();
    expect(one.run.origin).toBe('/data/mc/2025-03-01.ndjson');
    expect(one.rejectReasons).toHaveLength(2);
    expect((await get('/api/v1/runs/run-unknown')).statusCode).toBe(404);
    const rejects = (await get(`/api/v1/rejects?run=${RUN_ID}`)).json();
    expect(rejects.rejects.map((r: { location: string }) => r.location)).toEqual(['line 3', 'line 7']);
  });

  it('serves data quality per source, entity and day to operator tokens only', async () => {
    const q = (await get('/api/v1/quality?since=2025-03-01&source=one-stop-shop')).json() as { rows: { day: string; metric: string; reason: string; n: number }[] };
    const on = (metric: string, reason = '') => q.rows.find((r) => r.day === '2025-03-01' && r.metric === metric && r.reason === reason)?.n;
    expect([on('read'), on('accepted'), on('rejected')]).toEqual([10, 8, 2]);
    expect(q.rows.filter((r) => r.metric === 'rejected_reason').map((r) => r.reason).sort()).toEqual(['received_at: not a date', 'status: unknown status 42']);
    expect((await get('/api/v1/quality', TOKENS.ward)).statusCode).toBe(403);
    expect((await get('/api/v1/quality?since=2025-02-30')).statusCode).toBe(400);
  });

  it('runs read-only SQL for operators and refuses anything else', async () => {
    const q = (sql: string, format?: string) => app.inject({ method: 'POST', url: '/api/v1/internal/query', headers: { authorization: `Bearer ${TOKENS.admin}` }, payload: { sql, ...(format ? { format } : {}) } });
    const ok = await q(`SELECT code FROM ${store.db}.units ORDER BY code LIMIT 2`, 'JSONEachRow');
    expect(ok.statusCode).toBe(200);
    expect(ok.body.trim().split('\n').map((l) => JSON.parse(l).code)).toEqual(['H01', 'H02']);
    expect((await q(`WITH 1 AS x SELECT x`)).statusCode).toBe(200);
    for (const sql of [`INSERT INTO ${store.db}.units (code) VALUES ('Z')`, `SELECT 1; DROP TABLE ${store.db}.units`, `DROP TABLE ${store.db}.units`, `SELECT * FROM file('/etc/passwd', 'LineAsString')`, 'SELECT 1 SETTINGS readonly=0']) {
      const r = await q(sql);
      expect(r.statusCode, sql).toBe(400);
      expect(r.json().field).toBe('sql');
    }
    expect((await q('SELECT 1', 'Parquet')).json()).toMatchObject({ field: 'format' });
  });
});

describe('validation', () => {
  const BAD: [string, string][] = [
    ['/api/v1/units?x=1', 'x'],
    ['/api/v1/indicators?unit=H01', 'unit'],
    ['/api/v1/values', 'unit'],
    ['/api/v1/values?unit=X0101&period=week', 'period'],
    ['/api/v1/values?unit=X0101&from=2025-02-30', 'from'],
    ['/api/v1/values?unit=X0101&from=2025-03-01&to=2025-02-01', 'to'],
    ['/api/v1/values?unit=X0101&indicator=Bad-Code', 'indicator'],
    ['/api/v1/values?unit=X0101&limit=0', 'limit'],
    ['/api/v1/values?unit=X0101&unit=X0102', 'unit'],
    ['/api/v1/scorecard?unit=H01', 'year'],
    ['/api/v1/scorecard?unit=H01&year=abc', 'year'],
    ['/api/v1/scorecard?unit=H01&year=1999', 'year'],
    ['/api/v1/scorecard?unit=H01&year=2025&plan=a%20b', 'plan'],
    ['/api/v1/scorecard?unit=H01&year=2025&children=maybe', 'children'],
    ['/api/v1/reports/monthly?unit=H01', 'month'],
    ['/api/v1/reports/monthly?unit=H01&month=2025-13', 'month'],
    ['/api/v1/reports/monthly?unit=H01&month=2025-02&format=pdf', 'format'],
    ['/api/v1/runs?status=broken', 'status'],
    ['/api/v1/runs?since=yesterday', 'since'],
    ['/api/v1/runs?source=ONE%20STOP', 'source'],
    ['/api/v1/runs?limit=100000', 'limit'],
    ['/api/v1/runs/a%20b', 'id'],
    ['/api/v1/rejects', 'run'],
    ['/api/v1/rejects?run=x&offset=-1', 'offset'],
  ];
  it('answers 400 naming the field and the reason', async () => {
    for (const [url, field] of BAD) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      const body = r.json();
      expect(body, url).toMatchObject({ error: 'bad_request', field });
      expect(typeof body.reason).toBe('string');
    }
    expect((await get('/api/v1/values')).json().reason).toBe('required');
  });

  it('refuses SQL injection in every parameter with a 400 and no effect', async () => {
    const before = await tableCounts(store);
    const payloads = ["x' OR '1'='1", "X0101'); DROP TABLE units; --", '1; DROP TABLE targets', 'X0101 UNION SELECT 1', "2025) OR (1=1", '{db:String}'];
    const templates: [string, string][] = [
      ['/api/v1/values?unit=@', 'unit'],
      ['/api/v1/values?unit=X0101&indicator=@', 'indicator'],
      ['/api/v1/values?unit=X0101&period=@', 'period'],
      ['/api/v1/values?unit=X0101&from=@', 'from'],
      ['/api/v1/values?unit=X0101&to=@', 'to'],
      ['/api/v1/values?unit=X0101&limit=@', 'limit'],
      ['/api/v1/scorecard?unit=@&year=2025', 'unit'],
      ['/api/v1/scorecard?unit=H01&year=@', 'year'],
      ['/api/v1/scorecard?unit=H01&year=2025&plan=@', 'plan'],
      ['/api/v1/scorecard?unit=H01&year=2025&children=@', 'children'],
      ['/api/v1/reports/monthly?unit=@&month=2025-02', 'unit'],
      ['/api/v1/reports/monthly?unit=H01&month=@', 'month'],
      ['/api/v1/reports/monthly?unit=H01&month=2025-02&format=@', 'format'],
      ['/api/v1/reports/monthly?unit=H01&month=2025-02&stored=@', 'stored'],
      ['/api/v1/reports?unit=@', 'unit'],
      ['/api/v1/runs?status=@', 'status'],
      ['/api/v1/runs?source=@', 'source'],
      ['/api/v1/runs?since=@', 'since'],
      ['/api/v1/runs?limit=@', 'limit'],
      ['/api/v1/runs/@', 'id'],
      ['/api/v1/rejects?run=@', 'run'],
      ['/api/v1/rejects?run=x&limit=@', 'limit'],
      ['/api/v1/rejects?run=x&offset=@', 'offset'],
    ];
    for (const [tpl, field] of templates) {
      for (const p of payloads) {
        const url = tpl.replace('@', encodeURIComponent(p));
        const r = await get(url);
        expect(r.statusCode, url).toBe(400);
        expect(r.json().field, url).toBe(field);
      }
    }
    expect(await tableCounts(store)).toEqual(before);
  });
});
