// Every operator command through the `chiso` binary, as an operator runs it, with its --json output:
// a chiso process started by `chiso up --detach` (on the test stack's Kafka and Temporal, its own data
// directory, topics, task queue and API port), then ingest, runs, rejects, replay, the imports,
// compute, nightly, report, query (and its refusals), indicators and status against it, and `down`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, onTestStackEnv, runChiso } from '../support/chiso-cli.ts';
import { randomName } from '../support/env.ts';

const SAMPLES = fileURLToPath(new URL('../../infra/samples/data/', import.meta.url));
const DATA = fileURLToPath(new URL('../../infra/data/', import.meta.url));

describe('every operator command through the chiso binary', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiso-operator-'));
  const token = `op-${randomName('token').replace(/_/g, '-')}`;
  let env: Record<string, string> = {};
  const chiso = (args: string[]): Promise<CliResult> => runChiso(args, { ...process.env, ...env });
  const json = async <T,>(args: string[]): Promise<T> => {
    const r = await chiso([...args, '--json']);
    expect(r.code, `chiso ${args.join(' ')}: ${r.err}`).toBe(0);
    return JSON.parse(r.out) as T;
  };

  beforeAll(async () => {
    env = {
      ...(await onTestStackEnv(dataDir, 'op')),
      CHISO_API_TOKENS: token,
      CHISO_PII_SECRET: 'operator-test-pii-secret-0123456789',
      CHISO_LOG_LEVEL: 'warn',
    };
    const up = await chiso(['up', '--detach', '--json']);
    expect(up.code, up.err).toBe(0);
  });
  afterAll(async () => {
    if (env.CHISO_DATA_DIR) await chiso(['down']);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('status and indicators', async () => {
    const parts = await json<{ part: string; state: string }[]>(['status']);
    expect(Object.fromEntries(parts.map((p) => [p.part, p.state]))).toMatchObject({ kafka: 'external', temporal: 'external', chiso: 'up' });
    const catalogue = await json<{ code: string; kind: string }[]>(['indicators']);
    expect(catalogue.map((i) => i.code)).toContain('dossier_online');
    expect(catalogue).toHaveLength(25);
  });

  it('imports units, targets and manual values, refusing a bad file whole', async () => {
    const units = await json<{ written: number }>(['import-units', join(DATA, 'units.csv')]);
    expect(units.written).toBe(readFileSync(join(DATA, 'units.csv'), 'utf8').trim().split('\n').length - 1);
    const targets = await json<{ written: number }>(['import-targets', join(DATA, 'targets.csv')]);
    expect(targets.written).toBeGreaterThan(0);
    const manual = join(dataDir, 'manual.csv');
    writeFileSync(manual, 'indicator,unit_code,period,period_start,value\nmeetings_online,H01,month,2025-01-01,87.5\nmeetings_online,NOPE,month,2025-01-01,10\n');
    const m = await chiso(['import-manual', manual, '--json']);
    expect(m.code).toBe(1);
    expect(JSON.parse(m.out)).toMatchObject({ written: 1, errors: [{ line: 3, field: 'unit_code' }] });
    const bad = join(dataDir, 'bad-units.csv');
    writeFileSync(bad, 'code,name,level,parent_code,valid_from,valid_to\nX9,,XA,H01,2025-13-01,\n');
    const b = await chiso(['import-units', bad, '--json']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('nothing imported');
  });

  let runId = '';
  it('ingests a file with --wait, then lists the run and its rejects', async () => {
    const r = await json<{ runs: { runId: string; read: number; accepted: number; rejected: number; status: string }[] }>([
      'ingest', 'one-stop-shop', join(SAMPLES, 'one-stop-shop', 'dossiers.ndjson'), '--wait',
    ]);
    const [run] = r.runs;
    expect(run).toBeDefined();
    runId = run?.runId ?? '';
    const manifest = JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8')) as { files: Record<string, { records: number; bad: unknown[] }> };
    const expected = manifest.files['one-stop-shop/dossiers.ndjson'];
    expect(run).toMatchObject({ status: 'succeeded', read: expected?.records, rejected: expected?.bad.length });
    expect((run?.accepted ?? 0) + (run?.rejected ?? 0)).toBe(run?.read);

    const runs = await json<{ run_id: string; status: string; read: number }[]>(['runs', '--source', 'one-stop-shop']);
    expect(runs.find((x) => x.run_id === runId)).toMatchObject({ status: 'succeeded', read: expected?.records });
    const shown = await json<{ run: { run_id: string } }>(['runs', 'show', runId]);
    expect(JSON.stringify(shown)).toContain(runId);
    const rejects = await json<{ field: string; reason: string; location: string }[]>(['rejects', '--run', runId]);
    expect(rejects).toHaveLength(expected?.bad.length ?? -1);
    expect(rejects.map((x) => x.field).sort()).toEqual(['KenhThucHien', 'MaHoSo', 'NgayTiepNhan', 'NgayTiepNhan']);
    for (const x of rejects) expect(x.location).toMatch(/dossiers\.ndjson, line \d+$/);

    // Plain `chiso status`: the parts, then the data quality of the last 7 days with this run's counts.
    const st = await chiso(['status']);
    expect(st.code, st.err).toBe(0);
    const [parts, quality] = st.out.split('Chất lượng dữ liệu / data quality');
    expect(parts).toMatch(/chiso\s+up/);
    expect(quality).toContain('đọc / read');
    expect(quality).toContain('loại / rejected');
    const line = quality?.split('\n').find((l) => /one-stop-shop\s+dossiers/.test(l));
    expect(line, quality).toBeDefined();
    expect(line).toContain(` ${expected?.records} `);
  });

  it('replays the run: a new run linked to it, nothing doubled', async () => {
    const r = await json<{ replays: { runId: string; ok: boolean; summary: { runs: { status: string; read: number; rejected: number }[] } }[] }>(['replay', runId]);
    expect(r.replays).toHaveLength(1);
    expect(r.replays[0]).toMatchObject({ runId, ok: true, summary: { runs: [{ status: 'succeeded', read: 1555, rejected: 4 }] } });
    const runs = await json<{ run_id: string; replay_of: string; status: string }[]>(['runs', '--source', 'one-stop-shop']);
    expect(runs.filter((x) => x.replay_of === runId).map((x) => x.status)).toEqual(['succeeded']);
    // raw_events' keys without their payload: the endpoint does not read raw_events itself.
    const q = await chiso(['query', 'SELECT count() - uniqExact(event_id) AS doubled, count() AS n FROM chiso.v_raw_event_keys', '--format', 'JSONEachRow']);
    expect(q.code, q.err).toBe(0);
    expect(JSON.parse(q.out)).toMatchObject({ doubled: 0 });
  });

  it('refuses through query what reaches outside the store, with the reason', async () => {
    for (const [sql, why] of [
      ["SELECT file('/etc/hostname')", /function file is not allowed/],
      ["SELECT 1 -- ' \n; CREATE TABLE chiso.pwned (a Int8) ENGINE = Memory", /one statement|Multi-statements/],
      ["SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')", /table function url/],
      ['SELECT original FROM chiso.rejects', /chiso\.rejects is not readable/],
    ] as const) {
      const r = await chiso(['query', sql]);
      expect(r.code, sql).toBe(2);
      expect(r.err, sql).toMatch(why);
      expect(r.out, sql).toBe('');
    }
    const tables = await chiso(['query', "SELECT count() AS n FROM chiso.query_audit WHERE outcome = 'refused'", '--format', 'JSONEachRow']);
    expect(tables.code, tables.err).toBe(0);
    expect(Number((JSON.parse(tables.out) as { n: string }).n)).toBeGreaterThanOrEqual(4);
  });

  it('computes, runs the nightly workflow, and writes the monthly report', async () => {
    const c = await json<{ days: number }>(['compute', '--from', '2025-01-01', '--to', '2025-01-31']);
    expect(c.days).toBe(31);
    const q = await chiso(['query', "SELECT round(value, 2) AS v FROM chiso.v_indicator_values WHERE indicator = 'dossier_online' AND unit_code = 'T01' AND period = 'month' AND period_start = '2025-01-01'", '--format', 'JSONEachRow']);
    expect(q.code, q.err).toBe(0);
    const month = (JSON.parse(q.out) as { v: number }).v;
    expect(month).toBeGreaterThan(0);

    const n = await json<{ computedDays: string[] }>(['nightly', '--date', '2025-01-31', '--wait']);
    expect(n.computedDays).toContain('2025-01-31');

    const out = join(dataDir, 'bao-cao.csv');
    const rep = await json<{ bytes: number; out: string }>(['report', '--unit', 'H01', '--month', '2025-01', '--out', out]);
    expect(rep.bytes).toBeGreaterThan(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv).toContain('dossier_online');
  });
});
