// `chiso backup` and `chiso restore` through the chiso binary on a computed chDB store: backed up by
// the running chiso process (through its API, since it holds the store) and by the CLI alone, the
// data directory destroyed, restored, and every row of every table (indicator values, the ingestion
// ledger, rejects, raw events, state, units...) found again, with the data directory's files.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../infra/process.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { loadConfig } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import type { BackupSummary, RestoreSummary } from '../../infra/clickhouse/backup-run.ts';
import { randomName } from '../support/env.ts';
import { freePortRun } from '../support/ports.ts';
import { DATA_FILES, populate, readAll, RUNS } from './populated-store.ts';

const BIN = fileURLToPath(new URL('../../bin/chiso.js', import.meta.url));
const log = createLogger('warn');

interface Out {
  code: number;
  out: string;
  err: string;
}

describe('backup and restore of a computed store', () => {
  const root = mkdtempSync(join(tmpdir(), 'chiso-backup-'));
  const dataDir = join(root, 'data');
  const database = randomName('bk');
  const token = `op-${randomName('token').replace(/_/g, '-')}`;
  let port = 0;
  const env = (dir: string): Record<string, string> => ({
    CHISO_DATA_DIR: dir,
    CLICKHOUSE_DATABASE: database,
    CHISO_API_PORT: String(port),
    CHISO_API_TOKENS: token,
    CHISO_PII_SECRET: 'backup-test-pii-secret-0123456789',
    CHISO_LOG_LEVEL: 'warn',
  });
  const chiso = (dir: string, args: string[]): Promise<Out> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env(dir) }, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (e, out, err) =>
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }),
      );
    });
  const json = async <T,>(dir: string, args: string[]): Promise<T> => {
    const r = await chiso(dir, [...args, '--json']);
    expect(r.code, `chiso ${args.join(' ')}: ${r.err}`).toBe(0);
    return JSON.parse(r.out) as T;
  };
  const cfgOf = (dir: string) => loadConfig(env(dir));
  const readStore = async (dir: string) => {
    const store: Store = await openStore(cfgOf(dir).clickhouse);
    try {
      return await readAll(store);
    } finally {
      await store.close();
    }
  };

  let before: Record<string, unknown[]> = {};
  let serve: ChildProcess | undefined;

  beforeAll(async () => {
    port = await freePortRun(1);
    const store = await openStore(cfgOf(dataDir).clickhouse);
    try {
      await populate(store, dataDir, log);
      before = await readAll(store);
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    if (serve?.exitCode === null) serve.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('the populated store holds computed indicator values, runs, rejects and raw events', () => {
    expect(before.indicator_values?.length).toBeGreaterThan(100);
    expect((before.ingest_runs as { run_id: string }[]).map((r) => r.run_id)).toEqual(RUNS.map((r) => r.run_id));
    expect(before.rejects).toHaveLength(2);
    expect(before.raw_events).toHaveLength(2);
    expect(before.schema_migrations?.length).toBeGreaterThan(0);
  });

  it('backs up through the running chiso process, which holds the store', async () => {
    // `serve` with the API role only: the process that holds the chDB directory, as `up` would start it.
    mkdirSync(join(dataDir, 'run'), { recursive: true });
    serve = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env(dataDir), CHISO_ROLES: 'api' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    serve.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    await waitUntil('the chiso process answers', async () => (await fetch(`http://127.0.0.1:${port}/health/live`)).ok, {
      timeoutMs: 60_000,
      abortIf: () => (serve?.exitCode !== null ? `chiso serve exited: ${stderr}` : undefined),
    });
    const dest = join(root, 'backup-api');
    const r = await chiso(dataDir, ['backup', dest, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('chiso is running');
    const summary = JSON.parse(r.out) as BackupSummary;
    expect(summary).toMatchObject({ dest, dataDirs: ['archive', 'checkpoints'], clickhouse: { mode: 'chdb', database } });
    expect(summary.rows).toBe(Object.values(before).reduce((s, rows) => s + rows.length, 0));
    expect(existsSync(join(dest, 'manifest.json'))).toBe(true);
    // Staged in the process's own backups folder, moved out whole.
    expect(existsSync(join(dataDir, 'backups'))).toBe(true);
    serve.kill('SIGTERM');
    await waitUntil('chiso serve stops', async () => serve?.exitCode !== null, { timeoutMs: 60_000 });
  });

  it('backs up with the CLI alone when nothing runs, then restores a destroyed data directory with every row and file', async () => {
    const dest = join(root, 'backup-cli');
    const summary = await json<BackupSummary>(dataDir, ['backup', dest]);
    expect(summary.tables).toBe(Object.keys(before).length);

    rmSync(dataDir, { recursive: true, force: true });
    const restored = await json<RestoreSummary>(dataDir, ['restore', dest]);
    expect(restored.ok).toBe(true);
    expect(restored.tables.every((t) => t.found === t.expected)).toBe(true);
    expect(restored.migrationsApplied).toBe(0);

    const after = await readStore(dataDir);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
    for (const [rel, text] of Object.entries(DATA_FILES)) expect(readFileSync(join(dataDir, rel), 'utf8')).toBe(text);
  });

  it('restores the backup made by the running process into another, empty data directory', async () => {
    const other = join(root, 'data-other');
    const restored = await json<RestoreSummary>(other, ['restore', join(root, 'backup-api')]);
    expect(restored.ok).toBe(true);
    const after = await readStore(other);
    for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
  });

  it('refuses to restore over a store that holds data, unless forced', async () => {
    const r = await chiso(dataDir, ['restore', join(root, 'backup-cli')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('refuses to overwrite');
    const forced = await json<RestoreSummary>(dataDir, ['restore', join(root, 'backup-cli'), '--force']);
    expect(forced.ok).toBe(true);
  });

  it('refuses a backup whose files changed, and a folder without a manifest', async () => {
    const r = await chiso(join(root, 'data-x'), ['restore', root]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no manifest.json');
    const manifest = JSON.parse(readFileSync(join(root, 'backup-cli', 'manifest.json'), 'utf8')) as { files: { path: string }[] };
    const victim = manifest.files.find((f) => f.path.startsWith('files/'));
    expect(victim).toBeDefined();
    rmSync(join(root, 'backup-cli', victim?.path ?? ''));
    const t = await chiso(join(root, 'data-y'), ['restore', join(root, 'backup-cli')]);
    expect(t.code).toBe(2);
    expect(t.err).toContain(`${victim?.path}: missing`);
  });
});
