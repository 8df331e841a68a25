// A stale pid file never makes chiso signal an unrelated process: each pid file records the process's
// start time beside its pid, and nothing is signalled unless both still match. Here the pid files of
// the stack point at a live `sleep` of this test (no start time, as an old file; a wrong one, as after
// a reboot or pid reuse), and `chiso down` must leave it alive.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stackPaths } from '../../infra/paths.ts';
import { isAlive, processStartTime, readPidRecord, runningPid, startDetached, stopManaged } from '../../infra/process.ts';
import { loadConfig } from '../../schemas/config.ts';

const BIN = fileURLToPath(new URL('../../bin/chiso.js', import.meta.url));

describe('pid files', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiso-pids-'));
  const children: ChildProcess[] = [];
  const env = { CHISO_DATA_DIR: dataDir, KAFKA_BROKERS: '', TEMPORAL_ADDRESS: '', CLICKHOUSE_URL: '' };
  const paths = stackPaths(loadConfig(env));
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const sleeper = (): number => {
    const c = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(c);
    expect(c.pid).toBeGreaterThan(0);
    return c.pid!;
  };

  it('record the start time, and a stop signals the very process started', async () => {
    const m = { name: 'sleeper', pidFile: join(dataDir, 'run', 'sleeper.pid'), logFile: join(dataDir, 'logs', 'sleeper.log') };
    const pid = startDetached(m, 'sleep', ['600']);
    const record = readPidRecord(m.pidFile);
    expect(record).toEqual({ pid, startTime: processStartTime(pid) });
    expect(record?.startTime).toMatch(/\S/);
    expect(runningPid(m)).toBe(pid);
    expect(await stopManaged(m, 5_000)).toBe(true);
    expect(isAlive(pid)).toBe(false);
  });

  it('`chiso down` leaves alone a live process that a stale pid file names', () => {
    const unrelated = sleeper();
    const start = processStartTime(unrelated);
    expect(start).toBeDefined();
    mkdirSync(join(dataDir, 'run'), { recursive: true });
    // An old pid file (no start time), and two that name the pid with another start time.
    writeFileSync(paths.app.pidFile, `${unrelated}\n`);
    writeFileSync(paths.temporal.pidFile, `${unrelated}\n${Number(start) + 1}\n`);
    writeFileSync(paths.kafka.pidFile, `${unrelated}\nMon Jan  1 00:00:00 2024\n`);

    const r = spawnSync(process.execPath, [BIN, 'down', '--json'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ stopped: [] });
    expect(isAlive(unrelated)).toBe(true);
    expect(processStartTime(unrelated)).toBe(start);
    // The stale files are gone, so that nothing reads them again.
    for (const f of [paths.app.pidFile, paths.temporal.pidFile, paths.kafka.pidFile]) expect(() => readFileSync(f)).toThrow();
  });

  it('`chiso status` shows no pid for a stale file', () => {
    const unrelated = sleeper();
    mkdirSync(join(dataDir, 'run'), { recursive: true });
    writeFileSync(paths.app.pidFile, `${unrelated}\n1\n`);
    const r = spawnSync(process.execPath, [BIN, 'status', '--json'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const parts = JSON.parse(r.stdout) as { part: string; pid?: number }[];
    expect(parts.find((p) => p.part === 'chiso')?.pid).toBeUndefined();
    expect(isAlive(unrelated)).toBe(true);
  });
});
