// Hostile records through every connector (issue #17): NUL bytes, 300-character codes, invalid UTF-8
// and control characters in CSV, XLSX, JSON, NDJSON exports and in the pages of the HTTP export API.
// Each hostile record is a reject whose reason names the field (or the encoding), its run still
// succeeds with read = accepted + rejected, a whole file beyond a limit fails its run with the limit
// in the message, and the next clean export of every kind lands in ClickHouse through the real sink.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { ingestPath } from '../../connectors/files.ts';
import { ingestFromApi } from '../../connectors/http/ingest-api.ts';
import type { RunSummary } from '../../connectors/run.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { type Simulator, startSimulator } from '../support/source-simulator/server.ts';
import { randomName } from '../support/env.ts';
import { type ConnectorEnv, connectorEnv, xlsxFromRows } from './connectors-helpers.ts';

const log = createLogger('warn');
const TOKEN = 'test-source-token-0123456789';
const HEADER = ['MaDanhGia', 'MaHoSo', 'MaDonVi', 'ThoiGian', 'MucDo'];
const AT = '05/03/2025 09:30';

/** A rating row: id, unit, and what else the row needs to be valid. */
const row = (id: string, unit: string): string[] => [id, `HS-${id.slice(0, 20)}`, unit, AT, 'HAI_LONG'];

/** The hostile rows every format carries, after one good row, with the field and words their reject names. */
const HOSTILE: { id: string; unit: string; field: string; reason: RegExp }[] = [
  { id: 'P-NUL', unit: 'X01\u0000DROP', field: 'MaDonVi', reason: /MaDonVi: contains a NUL byte/ },
  { id: 'P'.repeat(300), unit: 'X01', field: 'MaDanhGia', reason: /MaDanhGia: 300 characters long \(at most 100\)/ },
  { id: 'P-CTRL', unit: 'X01\u001b[2J', field: 'MaDonVi', reason: /MaDonVi: contains a control or invisible character \(U\+001B\)/ },
  { id: 'P-BIDI', unit: 'X\u202e10', field: 'MaDonVi', reason: /MaDonVi: contains a control or invisible character \(U\+202E\)/ },
];

interface Export {
  name: string;
  run: RunSummary;
  /** The good record ids it holds. */
  good: string[];
  /** Rejects it must have produced: reason -> count. */
  expectRejects: { field: string; reason: RegExp }[];
}

const csvCell = (c: string) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
const csvText = (rows: string[][]) => rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
const record = (r: string[]) => Object.fromEntries(HEADER.map((h, i) => [h, r[i]]));

describe('hostile records through every connector', () => {
  let env: ConnectorEnv;
  let store: Store;
  let sink: Sink;
  let checkpoints: FileCheckpoints;
  const sims: Simulator[] = [];
  const groupId = randomName('sink');
  const dir = mkdtempSync(join(tmpdir(), 'chiso-poison-'));
  const exports: Export[] = [];

  const ingestFile = async (name: string, content: string | Buffer | string[][], good: string[], expectRejects: Export['expectRejects']) => {
    let path = join(dir, name);
    if (Array.isArray(content)) path = await xlsxFromRows(content, name);
    else writeFileSync(path, content);
    const [run] = await ingestPath(env.deps, { source: 'public-service-portal', entity: 'ratings', path, checkpoints });
    if (!run) throw new Error(`${name}: no run`);
    exports.push({ name, run, good, expectRejects });
  };

  const ingestApi = async (name: string, lines: string, good: string[], expectRejects: Export['expectRejects'], extra: { maxPageBytes?: number } = {}) => {
    const simDir = join(dir, name);
    mkdirSync(simDir);
    writeFileSync(join(simDir, 'ratings.ndjson'), lines);
    const sim = await startSimulator({ dir: simDir, token: TOKEN, log });
    sims.push(sim);
    const run = await ingestFromApi(env.deps, {
      runId: randomName('run'),
      source: 'public-service-portal',
      entity: 'ratings',
      baseUrl: sim.url,
      token: TOKEN,
      to: '2026-01-01T00:00:00+07:00',
      pageSize: 3,
      checkpointDir: join(dir, `${name}-cp`),
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      ...extra,
    });
    exports.push({ name, run, good, expectRejects });
  };

  beforeAll(async () => {
    env = await connectorEnv();
    store = await openStore(env.cfg.clickhouse);
    await migrate(store, log);
    sink = createSink({ cfg: env.cfg, store, log, groupId, options: { lingerMs: 200 } });
    await sink.start();
    checkpoints = new FileCheckpoints(join(env.cfg.dataDir, 'checkpoints'));

    const hostile = (tag: string) => [row(`${tag}-OK`, 'X01'), ...HOSTILE.map((h) => row(h.id === 'P'.repeat(300) ? h.id : `${tag}-${h.id}`, h.unit))];
    const named = HOSTILE.map(({ field, reason }) => ({ field, reason }));
    const notUtf8 = { field: '', reason: /not valid UTF-8/ };
    const fffd = { field: 'MaDonVi', reason: /MaDonVi: contains U\+FFFD .*invalid UTF-8/ };
    // Invalid UTF-8 bytes (0xC3 0x28) in a unit code, as a line of its own.
    const badBytes = (before: string, after: string) => Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from([0xc3, 0x28]), Buffer.from(after, 'utf8')]);

    // CSV: the hostile rows, then a line with invalid UTF-8.
    await ingestFile('ratings-hostile.csv', Buffer.concat([Buffer.from(csvText([HEADER, ...hostile('CSV')])), badBytes('CSV-UTF8,HS-1,X', `,${AT},HAI_LONG\n`)]), ['CSV-OK'], [...named, notUtf8]);
    // NDJSON: the same, JSON-escaped (\u0000 is a NUL in the value), and a line with invalid UTF-8.
    const nd = hostile('ND').map((r) => JSON.stringify(record(r))).join('\n') + '\n';
    await ingestFile('ratings-hostile.ndjson', Buffer.concat([Buffer.from(nd), badBytes('{"MaDanhGia":"ND-UTF8","MaDonVi":"X', `","ThoiGian":"${AT}","MucDo":"HAI_LONG"}\n`)]), ['ND-OK'], [...named, notUtf8]);
    // JSON: an array, the invalid UTF-8 inside the last record.
    const js = hostile('JS').map((r) => JSON.stringify(record(r)));
    await ingestFile('ratings-hostile.json', Buffer.concat([Buffer.from(`[${js.join(',')},`), badBytes('{"MaDanhGia":"JS-UTF8","MaDonVi":"X', `","ThoiGian":"${AT}","MucDo":"HAI_LONG"}]`)]), ['JS-OK'], [...named, notUtf8]);
    // XLSX: text is XML in a zip, so invalid UTF-8 arrives as U+FFFD (what a decoder makes of it), and
    // XML allows no control character at all (a spreadsheet program writes them as _xHHHH_, which
    // stays printable text): the printable hostile rows are rejected one by one...
    const printable = HOSTILE.filter((h) => ![...h.unit].some((c) => c.charCodeAt(0) < 0x20));
    await ingestFile(
      'ratings-hostile.xlsx',
      [['DANH SÁCH ĐÁNH GIÁ'], HEADER, row('XL-OK', 'X01'), ...printable.map((h) => row(h.id === 'P'.repeat(300) ? h.id : `XL-${h.id}`, h.unit)), row('XL-UTF8', 'X\uFFFD1')],
      ['XL-OK'],
      [...printable.map(({ field, reason }) => ({ field, reason })), fffd],
    );
    // ...and a workbook carrying raw NUL and ESC bytes in its XML is not well-formed: refused whole, saying why.
    const rawControl = await xlsxFromRows([HEADER, row('XR-OK', 'X01'), row('XR-NUL', 'X01_NUL_DROP')], 'ratings-raw-control-src.xlsx');
    const zip = await JSZip.loadAsync(readFileSync(rawControl));
    for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.xml'))) {
      const xml = await zip.file(name)?.async('string');
      if (xml?.includes('_NUL_')) zip.file(name, xml.replace('_NUL_', '\u0000\u001b'));
    }
    await ingestFile('ratings-raw-control.xlsx', await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }), [], []);
    // The HTTP pull: the API serves JSON, whose decoder also turns invalid UTF-8 into U+FFFD.
    await ingestApi('api-hostile', [...hostile('API'), row('API-UTF8', 'X\uFFFD1')].map((r) => JSON.stringify(record(r))).join('\n') + '\n', ['API-OK'], [...named, fffd]);

    // Whole files beyond a limit: refused, their run failed with the limit in the message.
    await ingestFile('ratings-long-line.ndjson', `${JSON.stringify(record(row('LL-1', 'X01')))}\n{"MaDanhGia":"${'x'.repeat(17 << 20)}"}\n`, [], []);

    // Then the clean exports of every kind: they land.
    const clean = (tag: string) => [row(`${tag}-C1`, 'X01'), row(`${tag}-C2`, 'X02')];
    await ingestFile('ratings-clean.csv', csvText([HEADER, ...clean('CSV')]), ['CSV-C1', 'CSV-C2'], []);
    await ingestFile('ratings-clean.ndjson', clean('ND').map((r) => JSON.stringify(record(r))).join('\n') + '\n', ['ND-C1', 'ND-C2'], []);
    await ingestFile('ratings-clean.json', JSON.stringify(clean('JS').map(record)), ['JS-C1', 'JS-C2'], []);
    await ingestFile('ratings-clean.xlsx', [HEADER, ...clean('XL')], ['XL-C1', 'XL-C2'], []);
    await ingestApi('api-clean', clean('API').map((r) => JSON.stringify(record(r))).join('\n') + '\n', ['API-C1', 'API-C2'], []);
  }, 180_000);

  afterAll(async () => {
    for (const s of sims) await s.stop();
    await sink?.stop();
    await store?.close();
    await env?.close();
  });

  it('rejects each hostile record with a reason naming the field, and keeps read = accepted + rejected', () => {
    for (const e of exports.filter((x) => x.run.status !== 'failed' || !['ratings-long-line.ndjson', 'ratings-raw-control.xlsx'].includes(x.name))) {
      expect(e.run.status, `${e.name}: ${e.run.error}`).toBe('succeeded');
      expect(e.run.read, e.name).toBe(e.run.accepted + e.run.rejected);
      expect(e.run.accepted, e.name).toBe(e.good.length);
      expect(e.run.rejected, e.name).toBe(e.expectRejects.length);
    }
  });

  it('fails a file beyond a limit as a whole, naming the limit', () => {
    const e = exports.find((x) => x.name === 'ratings-long-line.ndjson');
    expect(e?.run.status).toBe('failed');
    expect(e?.run.failure).toEqual({ code: 'FILE_LIMIT', retriable: false });
    expect(e?.run.error).toMatch(/line 2 is longer than the limit of one record/);
    const x = exports.find((y) => y.name === 'ratings-raw-control.xlsx');
    expect(x?.run.status).toBe('failed');
    expect(x?.run.failure).toEqual({ code: 'UNREADABLE_FILE', retriable: false });
    expect(x?.run.error).toMatch(/not a well-formed \.xlsx workbook: a control character \(such as NUL or ESC\) that XML does not allow/);
  });

  it('lands every good record and every reject in ClickHouse, the clean exports after the hostile ones', async () => {
    const produced: Record<string, string> = {};
    for (const { run } of exports) for (const [k, v] of Object.entries(run.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
    await waitForSink({ kafka: env.kafka, groupId, produced, timeoutMs: 120_000 });

    const ratings = await select<{ record_id: string }>(store, `SELECT record_id FROM ${store.db}.ratings FINAL ORDER BY record_id`);
    // The file refused whole had produced its first record before its long line stopped it.
    const want = [...exports.flatMap((e) => e.good), 'LL-1'].sort();
    expect(ratings.map((r) => r.record_id)).toEqual(want);

    for (const e of exports.filter((x) => x.expectRejects.length > 0)) {
      const rows = await select<{ field: string; reason: string; location: string }>(store, `SELECT field, reason, location FROM ${store.db}.rejects FINAL WHERE run_id = {run:String}`, { run: e.run.runId });
      expect(rows, e.name).toHaveLength(e.expectRejects.length);
      for (const x of e.expectRejects) {
        const hit = rows.find((r) => r.field === x.field && x.reason.test(r.reason));
        expect(hit, `${e.name}: no reject for ${x.field} ${String(x.reason)} in ${JSON.stringify(rows.map((r) => r.reason))}`).toBeDefined();
        // Located: the file and line (or the API URL, page and index).
        expect(hit?.location).toMatch(/line \d+|page \d+, index \d+/);
      }
    }

    // The ledger reconciles for every run: read = accepted + rejected.
    const deadline = Date.now() + 60_000;
    let ledger: { run_id: string; status: string; read: string; accepted: string; rejected: string }[] = [];
    while (Date.now() < deadline) {
      ledger = await select(store, `SELECT run_id, toString(status) AS status, read, accepted, rejected FROM ${store.db}.ingest_runs FINAL`);
      if (ledger.length === exports.length && ledger.every((l) => l.status !== 'running')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(ledger).toHaveLength(exports.length);
    for (const l of ledger) expect(Number(l.read), l.run_id).toBe(Number(l.accepted) + Number(l.rejected));
    const h = await sink.health();
    expect(h.ok).toBe(true);
  });
});
