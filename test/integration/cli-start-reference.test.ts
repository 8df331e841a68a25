// `chiso start` never writes over the operator's units and targets: with units and targets imported
// first, its demo load keeps them (and it still ingests and computes the samples), and the store's
// units and targets are exactly the imported ones afterwards.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliResult, onTestStackEnv, runChiso } from '../support/chiso-cli.ts';

describe('chiso start on a store with imported units and targets', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiso-start-ref-'));
  let env: Record<string, string> = {};
  let start: ChildProcess | undefined;
  const chiso = (args: string[]): Promise<CliResult> => runChiso(args, { ...process.env, ...env });
  const rows = async (sql: string): Promise<unknown[]> => {
    const q = await chiso(['query', sql, '--format', 'JSONEachRow']);
    expect(q.code, q.err).toBe(0);
    return q.out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
  };

  beforeAll(async () => {
    env = {
      ...(await onTestStackEnv(dataDir, 'start')),
      CLICKHOUSE_URL: '',
      CHISO_LOG_LEVEL: 'warn',
    };
    const up = await chiso(['up', '--detach']);
    expect(up.code, up.err).toBe(0);
  });
  afterAll(async () => {
    start?.kill('SIGKILL');
    await chiso(['down']);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps them, ingests and computes the samples, and serves', async () => {
    const units = join(dataDir, 'own-units.csv');
    writeFileSync(units, 'code,name,level,parent_code,valid_from,valid_to\nP01,Tỉnh Thử Nghiệm,TINH,,2024-01-01,\nP0101,Xã Thử Nghiệm,XA,P01,2024-01-01,\n');
    const targets = join(dataDir, 'own-targets.csv');
    writeFileSync(targets, 'plan,indicator,scope_unit,scope_level,year,comparator,value\n900,dossier_online,,XA,2026,>=,55\n');
    for (const [cmd, file] of [['import-units', units], ['import-targets', targets]] as const) {
      const r = await chiso([cmd, file]);
      expect(r.code, r.err).toBe(0);
    }
    const before = { units: await rows('SELECT code, name FROM chiso.units FINAL ORDER BY code'), targets: await rows('SELECT plan, indicator, value FROM chiso.targets FINAL ORDER BY plan') };
    expect(before.units).toEqual([{ code: 'P01', name: 'Tỉnh Thử Nghiệm' }, { code: 'P0101', name: 'Xã Thử Nghiệm' }]);

    let out = '';
    start = spawn(process.execPath, [BIN, 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    start.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
    start.stderr?.on('data', (b: Buffer) => (out += b.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => start?.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 900_000;
    while (!out.includes('press Ctrl-C') && start.exitCode === null) {
      if (Date.now() > deadline) throw new Error(`chiso start did not come to serving:\n${out}`);
      await sleep(500);
    }
    expect(out, out).toContain('press Ctrl-C');
    expect(out).toContain('units: giữ nguyên dữ liệu đã có / kept those already in the store');
    expect(out).toContain('targets: giữ nguyên dữ liệu đã có / kept those already in the store');
    // The samples themselves still went in and were computed.
    expect(out).toMatch(/xong \/ done .*nhận\/accepted [1-9]/);
    expect(out).toContain('computing the indicators');

    expect({ units: await rows('SELECT code, name FROM chiso.units FINAL ORDER BY code'), targets: await rows('SELECT plan, indicator, value FROM chiso.targets FINAL ORDER BY plan') }).toEqual(before);

    start.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
