// The read-only SQL endpoint (POST /api/v1/internal/query, behind `chiso query`) on chDB in this
// process, through the API: a table of hostile queries (comment and quote tricks, nested comments,
// heredocs, multi-statements, SETTINGS, INTO OUTFILE, FORMAT, every outward function as scalar and
// as table function, system tables, tables outside the allow-list) all refused with a reason and the
// store unchanged; honest SELECTs (joins of views, WITH, subqueries) answered; the limits, the
// per-token concurrency limit and the audit log.
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import { sqlHash } from '../../services/ioc-api/readonly-sql/audit.ts';
import { createLogger } from '../../lib/logger.ts';
import { tableCounts, TOKENS } from './fixtures/ioc-seed.ts';
import { type SeededIocApi, startSeededIocApi } from './ioc-app.ts';

let api: SeededIocApi | undefined;
let store: Store;
let app: FastifyInstance;
let db = '';

const post = (sql: string, opts: { format?: string; token?: string } = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/internal/query', headers: { authorization: `Bearer ${opts.token ?? TOKENS.admin}` }, payload: { sql, ...(opts.format ? { format: opts.format } : {}) } });

const tablesOf = async () => (await select<{ name: string }>(store, 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', { db })).map((r) => r.name);

beforeAll(async () => {
  api = await startSeededIocApi(createLogger('warn'), { env: { CHISO_QUERY_TIMEOUT_SECONDS: '2' } });
  ({ store, app } = api);
  db = store.db;
});
afterAll(async () => {
  await api?.stop();
});

/** [query, what the refusal must say]: every one is refused with 400 on field sql. */
const hostile = (): [string, RegExp][] => [
  // Comment and quote tricks: a second statement hidden from a naive scanner.
  [`SELECT 1 -- ' \n; CREATE TABLE ${db}.pwned (a Int8) ENGINE = Memory`, /one statement|Multi-statements/],
  [`SELECT 1 # ' \n; DROP TABLE ${db}.units`, /one statement|Multi-statements/],
  [`SELECT '--' ; DROP TABLE ${db}.units`, /one statement|Multi-statements/],
  [`SELECT 1 /* ' */ ; INSERT INTO ${db}.units (code) VALUES ('Z')`, /one statement|Multi-statements/],
  [`SELECT 1 /* /* nested */ ; DROP TABLE ${db}.units */ ; DROP TABLE ${db}.units`, /one statement|Multi-statements/],
  [`SELECT "a;b" ; DROP TABLE ${db}.units`, /one statement|Multi-statements/],
  [`SELECT $$ ; DROP TABLE x; $$ ; DROP TABLE ${db}.units`, /one statement|Multi-statements/],
  [`SELECT $tag$ ' $tag$ ; CREATE TABLE ${db}.pwned2 (a Int8) ENGINE = Memory`, /one statement|Multi-statements/],
  [`SELECT 'it\\'s' ; DROP TABLE ${db}.units`, /one statement|Multi-statements/],
  [`SELECT 1; SELECT 2`, /one statement|Multi-statements/],
  [`SELECT 1; ; SELECT 2`, /one statement|Multi-statements|Syntax/],
  // Other statements, whatever their disguise.
  [`INSERT INTO ${db}.units (code) VALUES ('Z')`, /only one SELECT/],
  [`DROP TABLE ${db}.units`, /only one SELECT/],
  [`CREATE TABLE ${db}.pwned3 (a Int8) ENGINE = Memory`, /only one SELECT/],
  [`ALTER TABLE ${db}.units DELETE WHERE 1`, /only one SELECT/],
  [`SYSTEM SHUTDOWN`, /only one SELECT/],
  [`SET readonly = 0`, /only one SELECT/],
  [`SHOW TABLES FROM ${db}`, /only one SELECT/],
  [`DESCRIBE TABLE ${db}.rejects`, /only one SELECT/],
  [`EXPLAIN SELECT * FROM ${db}.rejects`, /only one SELECT|viewExplain/],
  [`SELECT * FROM (EXPLAIN SELECT 1)`, /viewExplain/],
  [`/* hello */ KILL QUERY WHERE 1`, /only one SELECT/],
  // Clauses that would change where the answer goes or undo the limits.
  [`SELECT 1 SETTINGS readonly = 0`, /SETTINGS/],
  [`SELECT * FROM (SELECT 1 SETTINGS max_execution_time = 3600)`, /SETTINGS/],
  [`SELECT 1 INTO OUTFILE '/tmp/chiso-pwned.txt'`, /INTO OUTFILE/],
  [`SELECT 1 FORMAT Native`, /FORMAT/],
  [`SELECT {p:String}`, /parameter|Substitution/],
  // Outward functions, scalar.
  [`SELECT file('/etc/hostname')`, /function file/],
  [`SELECT lower(file('/etc/hostname', 'LineAsString'))`, /function file/],
  [`SELECT 1 WHERE file('/etc/passwd') != ''`, /function file/],
  [`SELECT * APPLY(file) FROM ${db}.units`, /APPLY/],
  [`SELECT getSetting('readonly')`, /function getSetting/],
  [`SELECT hostName(), FQDN()`, /function hostName/],
  [`SELECT sleep(3)`, /function sleep/],
  [`SELECT sleepEachRow(1) FROM ${db}.units`, /function sleepEachRow/],
  [`SELECT joinGet('${db}.rejects', 'original', 'x')`, /function joinGet/],
  [`SELECT hasColumnInTable('${db}', 'rejects', 'original')`, /function hasColumnInTable/],
  [`SELECT dictGet('d', 'x', 1)`, /function dictGet/],
  [`SELECT filesystemAvailable()`, /function filesystemAvailable/],
  [`SELECT catboostEvaluate('/etc/passwd', 1)`, /function catboostEvaluate/],
  [`SELECT getMacro('x')`, /function getMacro/],
  [`SELECT aiGenerate('hello')`, /function aiGenerate/],
  [`SELECT addressToSymbol(1)`, /function addressToSymbol/],
  [`SELECT currentUser()`, /function currentUser/],
  // Outward functions, as table functions.
  [`SELECT * FROM file('/etc/hostname', 'LineAsString')`, /table function file/],
  [`SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')`, /table function url/],
  [`SELECT * FROM s3('http://127.0.0.1:1/b/k', 'CSV')`, /table function s3/],
  [`SELECT * FROM remote('127.0.0.1', system.one)`, /table function remote/],
  [`SELECT * FROM remoteSecure('127.0.0.1', system.one)`, /table function remoteSecure/],
  [`SELECT * FROM mysql('127.0.0.1:3306', 'd', 't', 'u', 'p')`, /table function mysql/],
  [`SELECT * FROM postgresql('127.0.0.1:5432', 'd', 't', 'u', 'p')`, /table function postgresql/],
  [`SELECT * FROM executable('cat /etc/passwd', 'LineAsString', 'x String')`, /table function executable/],
  [`SELECT * FROM input('x String')`, /table function input/],
  [`SELECT * FROM hdfs('hdfs://127.0.0.1:9000/x', 'CSV')`, /table function hdfs/],
  [`SELECT * FROM azureBlobStorage('http://127.0.0.1:1', 'c', 'b', 'CSV')`, /table function azureBlobStorage/],
  [`SELECT * FROM jdbc('jdbc:x', 't')`, /table function jdbc/],
  [`SELECT * FROM odbc('DSN=x', 't')`, /table function odbc/],
  [`SELECT count() FROM numbers(1000000000000)`, /table function numbers/],
  [`SELECT * FROM ${db}.units WHERE code IN (SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString'))`, /table function url/],
  [`WITH x AS (SELECT * FROM file('/etc/passwd', 'LineAsString')) SELECT * FROM x`, /table function file/],
  [`SELECT * FROM merge('${db}', '.*')`, /table function merge/],
  [`SELECT * FROM view(SELECT * FROM ${db}.rejects)`, /table function view/],
  // Tables outside the allow-list, however named.
  [`SELECT * FROM system.tables`, /system\.tables is not readable/],
  [`SELECT * FROM system.users`, /not readable/],
  [`SELECT * FROM ${db}.rejects`, /rejects is not readable/],
  [`SELECT * FROM ${db}.raw_events`, /raw_events is not readable/],
  [`SELECT * FROM ${db}.schema_migrations`, /not readable/],
  [`SELECT * FROM rejects`, /name chiso's tables with their database/],
  [`SELECT * FROM \`${db}\`.\`rejects\``, /quoted names|not readable/],
  [`SELECT * FROM "${db}"."rejects"`, /quoted names|not readable/],
  [`SELECT * FROM ${db}.units AS u JOIN ${db}.rejects AS r ON r.run_id = u.code`, /rejects is not readable/],
  [`SELECT code FROM ${db}.units WHERE code IN ${db}.rejects`, /rejects is not readable/],
  [`SELECT (SELECT any(original) FROM ${db}.rejects)`, /rejects is not readable/],
  [`SELECT * FROM ${db}.units UNION ALL SELECT * FROM ${db}.rejects`, /rejects is not readable/],
  [`WITH rejects AS (SELECT 1) SELECT * FROM ${db}.rejects`, /rejects is not readable/],
  [`SELECT * FROM INFORMATION_SCHEMA.TABLES`, /not readable/],
  // Quoted names that could forge EXPLAIN AST's lines.
  [`SELECT 1 AS \`x\n   TableIdentifier ${db}.units\` FROM system.one`, /quoted names/],
];

describe('the SQL endpoint refuses what is not one read-only SELECT over chiso\'s tables', () => {
  it('refuses every hostile query with 400 and a reason, and leaves the store as it was', async () => {
    const before = { counts: await tableCounts(store), tables: await tablesOf() };
    const table = hostile();
    expect(table.length).toBeGreaterThanOrEqual(40);
    for (const [sql, why] of table) {
      const r = await post(sql);
      expect(r.statusCode, `${sql}: ${r.body}`).toBe(400);
      const body = r.json<{ field: string; reason: string }>();
      expect(body.field, sql).toBe('sql');
      expect(body.reason, sql).toMatch(why);
    }
    expect(await tableCounts(store)).toEqual(before.counts);
    expect(await tablesOf()).toEqual(before.tables);
    expect(existsSync('/tmp/chiso-pwned.txt')).toBe(false);
  });

  it('audits every query, refused or answered, with the token, the SQL hash and the outcome', async () => {
    const sql = `SELECT code FROM ${db}.units WHERE level = 'XA' ORDER BY code`;
    expect((await post(sql, { format: 'JSONEachRow' })).statusCode).toBe(200);
    expect((await post("SELECT file('/etc/hostname')")).statusCode).toBe(400);
    const rows = await select<{ client: string; outcome: string; rows: string | null; reason: string; sql_sha256: string }>(
      store,
      `SELECT client, toString(outcome) AS outcome, rows, reason, sql_sha256 FROM ${db}.query_audit WHERE sql_sha256 IN {h:Array(String)}`,
      { h: [sqlHash(sql), sqlHash("SELECT file('/etc/hostname')")] },
    );
    expect(rows.find((r) => r.sql_sha256 === sqlHash(sql))).toMatchObject({ client: 'token-1', outcome: 'answered' });
    expect(Number(rows.find((r) => r.sql_sha256 === sqlHash(sql))?.rows)).toBe(3);
    expect(rows.find((r) => r.outcome === 'refused')?.reason).toMatch(/function file/);
    const [n] = await select<{ n: string }>(store, `SELECT count() AS n FROM ${db}.query_audit WHERE outcome = 'refused'`);
    expect(Number(n?.n)).toBeGreaterThanOrEqual(hostile().length);
  });
});

describe('honest SELECTs still answer', () => {
  const HONEST = (): [string, (rows: Record<string, unknown>[]) => void][] => [
    [`SELECT code FROM ${db}.units ORDER BY code LIMIT 2`, (r) => expect(r.map((x) => x.code)).toEqual(['H01', 'H02'])],
    [`select count() AS n from ${db}.v_indicator_values -- a comment ; with a quote '`, (r) => expect(Number(r[0]?.n)).toBeGreaterThan(0)],
    [
      `WITH xa AS (SELECT code FROM ${db}.units WHERE level = 'XA') SELECT v.unit_code AS unit, round(v.value, 1) AS value FROM ${db}.v_indicator_values AS v INNER JOIN xa ON xa.code = v.unit_code WHERE v.indicator = 'work_records_online' AND v.period = 'year' ORDER BY unit`,
      (r) => expect(r.map((x) => x.unit)).toEqual(['X0101', 'X0102', 'X0201']),
    ],
    [
      `SELECT s.unit_code AS unit, s.status AS status, u.name AS name FROM ${db}.v_scorecard AS s LEFT JOIN ${db}.units AS u ON u.code = s.unit_code WHERE s.plan = '003' AND s.indicator = 'dossier_online' AND s.year = 2025`,
      (r) => expect(r).toEqual([{ unit: 'H01', status: 'not_met', name: 'Thành phố Hòa Bình' }]),
    ],
    [
      `SELECT indicator, countIf(value > 95) AS high, quantile(0.5)(value) AS median, groupArray(period_start)[1] AS first FROM ${db}.indicator_values WHERE period = 'day' GROUP BY indicator`,
      (r) => expect([r[0]?.indicator, Number(r[0]?.high)]).toEqual(['work_records_online', 36]),
    ],
    [`SELECT code FROM ${db}.units WHERE code IN (SELECT unit_code FROM ${db}.indicator_values WHERE period = 'month') ORDER BY code`, (r) => expect(r.map((x) => x.code)).toEqual(['H01', 'X0101'])],
    [`SELECT * FROM (SELECT code, level FROM ${db}.units) WHERE level = 'TINH'`, (r) => expect(r).toEqual([{ code: 'T01', level: 'TINH' }])],
    [
      `SELECT CASE level WHEN 'TINH' THEN 'tỉnh' ELSE 'khác' END AS c, count() AS n, arrayMap(x -> lower(x), groupArray(code))[1] AS one FROM ${db}.units GROUP BY c ORDER BY c`,
      (r) => expect(r.map((x) => x.c)).toEqual(['khác', 'tỉnh']),
    ],
    [`SELECT level AS format, code AS into FROM ${db}.units WHERE code = 'T01'`, (r) => expect(r).toEqual([{ format: 'TINH', into: 'T01' }])],
    [`SELECT 'it''s; DROP TABLE x' AS s, $$a'b$$ AS h`, (r) => expect(r).toEqual([{ s: "it's; DROP TABLE x", h: "a'b" }])],
    [`SELECT run_id, status FROM ${db}.ingest_runs FINAL ORDER BY run_id`, (r) => expect(r).toHaveLength(2)],
    [`SELECT count() AS n FROM ${db}.v_raw_event_keys`, (r) => expect(r.map((x) => Number(x.n))).toEqual([0])],
    [`SELECT partition, offset, \`topic\` FROM ${db}.v_raw_event_keys WHERE run_id = 'none'`, (r) => expect(r).toEqual([])],
    [`SELECT count() AS n FROM ${db}.units WHERE EXISTS (SELECT 1 FROM ${db}.targets WHERE year = 2025)`, (r) => expect(r.map((x) => Number(x.n))).toEqual([6])],
    [`SELECT level, grouping(level) AS g, count() AS n FROM ${db}.units GROUP BY ROLLUP(level) ORDER BY g, level`, (r) => expect(r).toHaveLength(4)],
    [`SELECT unit_code, row_number() OVER (PARTITION BY indicator ORDER BY unit_code) AS k FROM ${db}.indicator_values WHERE period = 'year' ORDER BY indicator, unit_code LIMIT 1`, (r) => expect(Number(r[0]?.k)).toBe(1)],
    [`SELECT u.code AS code FROM ${db}.units AS u, ${db}.unit_ancestors AS a WHERE a.unit_code = u.code AND a.ancestor_code = 'H02' AND a.depth = 1`, (r) => expect(r).toEqual([{ code: 'X0201' }])],
  ];

  it('answers joins of allowed views, WITH clauses and subqueries', async () => {
    for (const [sql, check] of HONEST()) {
      const r = await post(sql, { format: 'JSONEachRow' });
      expect(r.statusCode, `${sql}: ${r.body}`).toBe(200);
      check(r.body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>));
    }
  });

  it('answers in every format the CLI offers', async () => {
    for (const format of ['PrettyCompactMonoBlock', 'JSON', 'CSVWithNames', 'TabSeparatedWithNames', 'Markdown']) {
      const r = await post(`SELECT code FROM ${db}.units WHERE code = 'T01'`, { format });
      expect(r.statusCode, format).toBe(200);
      expect(r.body, format).toContain('T01');
    }
  });
});

describe('limits', () => {
  it('stops a heavy query at max_execution_time', async () => {
    const r = await post('SELECT count() FROM (SELECT arrayJoin(range(1000000)) AS a) AS x CROSS JOIN (SELECT arrayJoin(range(1000000)) AS b) AS y WHERE cityHash64(a, b) % 7 = 1');
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json<{ reason: string }>().reason).toMatch(/TIMEOUT_EXCEEDED|Timeout exceeded|timeout/i);
  });

  it('refuses answers over max_result_rows, max_result_bytes and the answer cap', async () => {
    const rows = await post('SELECT arrayJoin(range(200000)) AS n', { format: 'JSONEachRow' });
    expect(rows.statusCode).toBe(400);
    expect(rows.json<{ reason: string }>().reason).toMatch(/Limit for result exceeded/);
    const bytes = await post(`SELECT repeat('x', 100000) AS s, code FROM ${db}.units, (SELECT arrayJoin(range(1000)) AS k) AS ks ORDER BY code`, { format: 'JSONEachRow' });
    expect(bytes.statusCode).toBe(400);
    expect(bytes.json<{ reason: string }>().reason).toMatch(/Limit for result exceeded|memory/i);
    // One block of 100 MB (max_result_bytes is checked between blocks): cut off as it is read.
    const block = await post("SELECT repeat('x', 1000000) AS s FROM (SELECT arrayJoin(range(100)) AS k)", { format: 'TabSeparatedWithNames' });
    expect(block.statusCode).toBe(400);
    expect(block.json<{ reason: string }>().reason).toMatch(/larger than 64 MiB|Limit for result exceeded/);
  });

  it('lets a token have two queries in flight, answering 429 to a third', async () => {
    const slow = 'SELECT count() FROM (SELECT arrayJoin(range(20000)) AS a) AS x CROSS JOIN (SELECT arrayJoin(range(20000)) AS b) AS y WHERE cityHash64(a, b) % 7 = 1';
    const answers = await Promise.all([post(slow), post(slow), post(slow)]);
    expect(answers.map((a) => a.statusCode).filter((c) => c === 429)).toHaveLength(1);
    const busy = answers.find((a) => a.statusCode === 429);
    expect(busy?.json()).toMatchObject({ error: 'too_many_requests', field: 'sql' });
    // Once they are done, the token may query again.
    expect((await post('SELECT 1')).statusCode).toBe(200);
  });

  it('is for operator tokens only', async () => {
    expect((await post('SELECT 1', { token: TOKENS.ward })).statusCode).toBe(403);
  });
});
