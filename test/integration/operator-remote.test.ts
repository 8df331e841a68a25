// An operator at a desk: the chiso server runs (`chiso up --detach` on the test stack's Kafka and
// Temporal), and the operator's `chiso` is a separate process whose environment holds only the API's
// address and a token, its own empty data directory, and Kafka/Temporal addresses that reach nothing.
// It loads reference data, ingests a file with bad lines, lists the run and its rejects, deletes its
// copy of the file and replays the run: the server replays its archived copy. The outcome is checked
// in the store through the API (runs, rejects, recomputed indicator values).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, onTestStackEnv, runChiso } from '../support/chiso-cli.ts';
import { randomName } from '../support/env.ts';

const SAMPLES = fileURLToPath(new URL('../../infra/samples/data/', import.meta.url));
const DATA = fileURLToPath(new URL('../../infra/data/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

const run = (env: Record<string, string>, args: string[]): Promise<CliResult> => runChiso(args, env);

interface RunSummary {
  runId: string;
  status: string;
  read: number;
  accepted: number;
  rejected: number;
}

describe('an operator with only the API address and a token', () => {
  const serverDir = mkdtempSync(join(tmpdir(), 'chiso-remote-server-'));
  const operatorDir = mkdtempSync(join(tmpdir(), 'chiso-remote-operator-'));
  const token = `op-${randomName('token').replace(/_/g, '-')}`;
  const unitToken = `unit-${randomName('token').replace(/_/g, '-')}`;
  let server: Record<string, string> = {};
  let apiUrl = '';
  /** The operator's whole environment: nothing of the server's. */
  const operator = (tok = token): Record<string, string> => ({
    CHISO_API_URL: apiUrl,
    CHISO_API_TOKEN: tok,
    CHISO_DATA_DIR: operatorDir,
    KAFKA_BROKERS: '127.0.0.1:9',
    TEMPORAL_ADDRESS: '127.0.0.1:9',
  });
  const chiso = (args: string[], tok?: string) => run(operator(tok), args);
  const json = async <T,>(args: string[]): Promise<T> => {
    const r = await chiso([...args, '--json']);
    expect(r.code, `chiso ${args.join(' ')}: ${r.err}`).toBe(0);
    return JSON.parse(r.out) as T;
  };
  const api = async <T,>(path: string): Promise<T> => {
    const r = await fetch(`${apiUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status, path).toBe(200);
    return (await r.json()) as T;
  };

  beforeAll(async () => {
    const own = await onTestStackEnv(serverDir, 'rm');
    apiUrl = `http://127.0.0.1:${own.CHISO_API_PORT}`;
    server = {
      ...(process.env as Record<string, string>),
      ...own,
      CHISO_API_TOKENS: `${token},${unitToken}@H01`,
      CHISO_PII_SECRET: 'remote-test-pii-secret-0123456789',
      CHISO_LOG_LEVEL: 'warn',
    };
    const up = await run(server, ['up', '--detach', '--json']);
    expect(up.code, up.err).toBe(0);
  });
  afterAll(async () => {
    if (server.CHISO_DATA_DIR) await run(server, ['down']);
    rmSync(serverDir, { recursive: true, force: true });
    rmSync(operatorDir, { recursive: true, force: true });
  });

  it('sees the server\'s state and loads the reference data through the API', async () => {
    const s = await json<{ status: string }>(['status']);
    expect(s.status).toBe('ready');
    const units = await json<{ written: number }>(['import-units', join(DATA, 'units.csv')]);
    expect(units.written).toBe(readFileSync(join(DATA, 'units.csv'), 'utf8').trim().split('\n').length - 1);
    const targets = await json<{ written: number }>(['import-targets', join(DATA, 'targets.csv')]);
    expect(targets.written).toBeGreaterThan(0);
  });

  let runId = '';
  const file = join(operatorDir, 'ho-so-dossiers.ndjson');
  const manifest = JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8')) as { files: Record<string, { records: number; bad: unknown[] }> };
  const expected = manifest.files['one-stop-shop/dossiers.ndjson'];

  it('ingests a file with bad lines, then lists the run and its rejects', async () => {
    copyFileSync(join(SAMPLES, 'one-stop-shop', 'dossiers.ndjson'), file);
    const r = await json<{ runs: RunSummary[]; uploads: { archive: { stored: string } }[]; waited: string }>(['ingest', 'one-stop-shop', file, '--wait']);
    expect(r.uploads[0]?.archive.stored).toBe('new');
    expect(r.waited).toBe('done');
    const [first] = r.runs;
    runId = first?.runId ?? '';
    expect(first).toMatchObject({ status: 'succeeded', read: expected?.records, rejected: expected?.bad.length });

    const runs = await json<{ run_id: string; status: string; read: number; rejected: number }[]>(['runs', '--source', 'one-stop-shop']);
    expect(runs.find((x) => x.run_id === runId)).toMatchObject({ status: 'succeeded', read: expected?.records, rejected: expected?.bad.length });
    const rejects = await json<{ field: string; location: string }[]>(['rejects', '--run', runId]);
    expect(rejects).toHaveLength(expected?.bad.length ?? -1);
    for (const x of rejects) expect(x.location).toMatch(/ho-so-dossiers\.ndjson, line \d+$/);

    // `chiso status` at the desk: the server's readiness, then its data quality (GET /quality).
    const st = await json<{ status: string; quality: { rows: { source: string; entity: string; metric: string; n: number }[] } | null }>(['status']);
    expect(st.status).toBe('ready');
    const read = st.quality?.rows.filter((q) => q.source === 'one-stop-shop' && q.entity === 'dossiers' && q.metric === 'read').reduce((a, q) => a + q.n, 0);
    expect(read).toBe(expected?.records);
    const plain = await chiso(['status']);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).toContain('Chất lượng dữ liệu / data quality');
    expect(plain.out).toMatch(/one-stop-shop\s+dossiers/);

    // The same bytes again: stored once, and not ingested twice.
    const again = await json<{ runs: RunSummary[]; skipped: { reason: string }[]; uploads: { archive: { stored: string } }[] }>(['ingest', 'one-stop-shop', file]);
    expect(again.uploads[0]?.archive.stored).toBe('existing');
    expect(again.runs).toHaveLength(0);
    expect(again.skipped[0]?.reason).toContain(runId);
  });

  it('refuses writes to a unit-scoped token', async () => {
    const r = await chiso(['ingest', 'one-stop-shop', file, '--json'], unitToken);
    expect(r.code).toBe(2);
    expect(r.err).toContain('403');
  });

  it('replays the run after its copy of the file is gone, and the indicators are recomputed', async () => {
    rmSync(file);
    expect(existsSync(file)).toBe(false);
    const r = await json<{ replays: { runId: string; ok: boolean; replayRunId: string; summary: { runs: RunSummary[]; days: string[] } }[] }>(['replay', runId]);
    expect(r.replays[0], JSON.stringify(r)).toMatchObject({ runId, ok: true, summary: { runs: [{ status: 'succeeded', read: expected?.records, rejected: expected?.bad.length }] } });
    expect(r.replays[0]?.summary.days.length).toBeGreaterThan(0);

    // In the store, through the API: the replay's ledger row, its rejects, nothing doubled, values computed.
    const { runs } = await api<{ runs: { run_id: string; replay_of: string; status: string }[] }>('/runs?source=one-stop-shop');
    expect(runs.filter((x) => x.replay_of === runId).map((x) => x.status)).toEqual(['succeeded']);
    const replayRun = runs.find((x) => x.replay_of === runId)?.run_id ?? '';
    const { rejects } = await api<{ rejects: unknown[] }>(`/rejects?run=${replayRun}`);
    expect(rejects).toHaveLength(expected?.bad.length ?? -1);
    const q = await chiso(['query', 'SELECT count() - uniqExact(event_id) AS doubled FROM chiso.v_raw_event_keys', '--format', 'JSONEachRow']);
    expect(q.code, q.err).toBe(0);
    expect(JSON.parse(q.out)).toMatchObject({ doubled: 0 });
    const { values } = await api<{ values: { value: number }[] }>('/values?unit=T01&indicator=dossier_online&period=day&from=2025-01-01&to=2025-01-31');
    expect(values.length).toBeGreaterThan(0);
  });

  it('computes, runs the nightly workflow and writes the monthly report, through the API alone', async () => {
    const c = await json<{ days: number }>(['compute', '--from', '2025-01-01', '--to', '2025-01-31']);
    expect(c.days).toBe(31);
    const n = await json<{ computedDays: string[] }>(['nightly', '--date', '2025-01-31', '--wait']);
    expect(n.computedDays).toContain('2025-01-31');
    const out = join(operatorDir, 'bao-cao.csv');
    const rep = await json<{ bytes: number }>(['report', '--unit', 'H01', '--month', '2025-01', '--out', out]);
    expect(rep.bytes).toBeGreaterThan(0);
    expect(readFileSync(out, 'utf8')).toContain('dossier_online');
  });

  it('uploads an export, follows its run and replays it from the dashboard\'s operators page', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1500, height: 1000 }, locale: 'vi-VN' });
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      page.on('response', (r) => {
        if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${apiUrl}/operators.html#token=${token}`);
      await page.locator(`tr[data-run="${runId}"]`).waitFor();
      await page.selectOption('#source', 'public-service-portal');
      await page.setInputFiles('#file', join(SAMPLES, 'public-service-portal', 'ratings.ndjson'));
      await page.click('#upload-button');
      await page.locator('#job [data-state="ok"]').waitFor({ timeout: 120_000 });
      const text = (await page.locator('#job').textContent()) ?? '';
      const uploaded = /(run-\d{14}-[0-9a-f]{8})\s+public-service-portal\/ratings/.exec(text)?.[1] ?? '';
      expect(uploaded, text).not.toBe('');
      // Its ledger row appears once the sink has written it; then replay it from its row.
      await expect.poll(async () => { await page.click('#refresh'); return page.locator(`tr[data-run="${uploaded}"]`).count(); }, { timeout: 60_000, interval: 1_000 }).toBe(1);
      await page.locator(`tr[data-run="${uploaded}"] button.replay`).click();
      await page.locator('#job [data-state="ok"]', { hasText: 'Đã phát lại' }).waitFor({ timeout: 120_000 });
      await page.screenshot({ path: `${ARTIFACTS}operators-page.png`, fullPage: true });
      expect(pageErrors).toEqual([]);
      const { runs } = await api<{ runs: { replay_of: string; status: string }[] }>('/runs?source=public-service-portal');
      await expect.poll(async () => (await api<{ runs: { replay_of: string; status: string }[] }>('/runs?source=public-service-portal')).runs.filter((x) => x.replay_of === uploaded).map((x) => x.status), { timeout: 60_000, interval: 1_000 }).toEqual(['succeeded']);
      expect(runs.length).toBeGreaterThan(0);
    } finally {
      await browser.close();
    }
  });
});
