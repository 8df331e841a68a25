// Ctrl-C stops every process that `chiso up` started, also when its output is piped (`npm start 2>&1 |
// tee log`): the terminal's SIGINT reaches the whole foreground group (sh, chiso, tee) but not the
// broker, Temporal and the chiso process, which run in process groups of their own; tee dies first,
// so chiso's next line meets a closed pipe (EPIPE). The test is the terminal: it sends SIGINT to the
// pipeline's process group, then waits (bounded) until every process is gone.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { stackPaths } from '../../infra/paths.ts';
import { readPid, stopManaged } from '../../infra/process.ts';
import { loadConfig } from '../../schemas/config.ts';
import { BIN, ownStackEnv } from '../support/chiso-cli.ts';

/** Gone: no such process, or a zombie waiting for its parent. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** The live processes of a process group (field 5 of /proc/<pid>/stat). */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const fields = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(200);
  }
}

/** `chiso up --headless 2>&1 | tee out.log` in a process group of its own, as a terminal runs a pipeline. */
function pipeline(env: Record<string, string>, dataDir: string): { sh: ChildProcess; output: () => string } {
  let out = '';
  const sh = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" up --headless 2>&1 | tee "${join(dataDir, 'out.log')}"`], {
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  sh.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  sh.stderr?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  return { sh, output: () => out };
}

describe('Ctrl-C on a piped `chiso up`', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) {
      // Whatever a failed case left behind.
      const p = stackPaths(loadConfig({ CHISO_DATA_DIR: d }));
      for (const m of [p.app, p.temporal, p.kafka]) await stopManaged(m, 5_000);
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('stops the broker, Temporal and the chiso process once the stack serves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chiso-sigint-'));
    dirs.push(dataDir);
    const env = await ownStackEnv(dataDir);
    const { sh, output } = pipeline(env, dataDir);
    await waitFor('the stack is up', () => output().includes('Press Ctrl-C'), 300_000);
    const paths = stackPaths(loadConfig(env));
    const started = [paths.kafka, paths.temporal, paths.app].map((m) => readPid(m.pidFile));
    expect(started.every((p) => p !== undefined)).toBe(true);
    const pipelineMembers = groupMembers(sh.pid!);
    expect(pipelineMembers.length).toBeGreaterThanOrEqual(3); // sh, chiso, tee

    process.kill(-sh.pid!, 'SIGINT');
    await waitFor('every process gone', () => [...(started as number[]), ...pipelineMembers].every(gone), 120_000);
    for (const m of [paths.kafka, paths.temporal, paths.app]) expect(existsSync(m.pidFile)).toBe(false);
  });

  it('stops what was up so far when Ctrl-C comes while the stack starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chiso-sigint-'));
    dirs.push(dataDir);
    const env = await ownStackEnv(dataDir);
    const paths = stackPaths(loadConfig(env));
    const { sh } = pipeline(env, dataDir);
    // The broker has been spawned: the CLI now waits for it to answer.
    await waitFor('the broker starting', () => readPid(paths.kafka.pidFile) !== undefined, 300_000);
    const kafka = readPid(paths.kafka.pidFile)!;
    const pipelineMembers = groupMembers(sh.pid!);

    process.kill(-sh.pid!, 'SIGINT');
    await waitFor('every process gone', () => [kafka, ...pipelineMembers].every(gone), 120_000);
    // Nothing was started after the stop was asked, and nothing is left running.
    for (const m of [paths.kafka, paths.temporal, paths.app]) {
      const pid = readPid(m.pidFile);
      expect(pid === undefined || gone(pid), m.name).toBe(true);
    }
  });
});
