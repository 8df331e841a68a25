// The operator's stack commands, run as a user would: `chiso up --detach`, `status`, `down` on a
// stack of their own (own ports, own data directory), leaving no process behind.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../infra/process.ts';
import { BIN, ownStackEnv } from '../support/chiso-cli.ts';

function chiso(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('chiso up / status / down', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiso-cli-'));
  let env: Record<string, string> = {};
  afterAll(() => {
    if (env.CHISO_DATA_DIR) chiso(['down'], env);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts every part, reports it, and stops it without leaving a process', async () => {
    env = await ownStackEnv(dataDir);
    const api = env.CHISO_API_PORT;

    const upRun = chiso(['up', '--detach', '--json'], env);
    expect(upRun.code, upRun.err).toBe(0);
    const started = JSON.parse(upRun.out) as { parts: { part: string; state: string; pid?: number }[]; dashboard: string };
    expect(started.dashboard).toBe(`http://127.0.0.1:${api}/`);
    expect(started.parts.map((p) => [p.part, p.state])).toEqual([
      ['kafka', 'up'],
      ['temporal', 'up'],
      ['clickhouse', 'up'],
      ['chiso', 'up'],
    ]);
    const pids = started.parts.flatMap((p) => (p.pid ? [p.pid] : []));
    expect(pids).toHaveLength(3);

    const live = await fetch(`http://127.0.0.1:${api}/health/live`);
    expect(await live.text()).toBe('ok');
    // Every role of the all-in-one process is ready; the anonymous answer has no details.
    const ready = await fetch(`http://127.0.0.1:${api}/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', reasons: [] });
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${api}/metrics`)).text();
    expect(metrics).toContain('chiso_process_cpu_user_seconds_total');

    const st = chiso(['status', '--json'], env);
    expect(st.code, st.err).toBe(0);
    const parts = JSON.parse(st.out) as { part: string; state: string; version?: string }[];
    expect(parts.every((p) => p.state === 'up')).toBe(true);
    expect(parts.find((p) => p.part === 'clickhouse')?.version).toMatch(/^\d+\.\d+/);
    expect(parts.find((p) => p.part === 'kafka')?.version).toBe('4.1.1');

    const downRun = chiso(['down'], env);
    expect(downRun.code, downRun.err).toBe(0);
    expect(downRun.out).toContain('stopped: chiso, temporal, kafka');
    expect(pids.filter((pid) => isAlive(pid))).toEqual([]);

    const after = JSON.parse(chiso(['status', '--json'], env).out) as { state: string }[];
    expect(after.map((p) => p.state)).toEqual(['down', 'down', 'down', 'down']);
  });

  it('fails fast on a bad variable, naming it', () => {
    const r = chiso(['status'], { KAFKA_BROKERS: 'notahost' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('KAFKA_BROKERS: expected a comma-separated list of host:port');
  });
});
