// Supervision of the local stack's processes: start detached with a pid file and a log file,
// probe, stop (TERM, then KILL), and bounded waits. Used by `chiso up/down` and by the tests.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../services/lib/errors.ts';

export interface Managed {
  name: string;
  pidFile: string;
  logFile: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/** The pid of a managed process that is still running, or undefined (a stale pid file is removed). */
export function runningPid(m: Managed): number | undefined {
  const pid = readPid(m.pidFile);
  if (pid === undefined) return undefined;
  if (isAlive(pid)) return pid;
  rmSync(m.pidFile, { force: true });
  return undefined;
}

/** Starts a process in its own process group, output appended to its log file, pid recorded. */
export function startDetached(m: Managed, command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): number {
  mkdirSync(dirname(m.logFile), { recursive: true });
  mkdirSync(dirname(m.pidFile), { recursive: true });
  const fd = openSync(m.logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env, ...(cwd ? { cwd } : {}) });
    if (child.pid === undefined) throw new InfraError(`${m.name}: could not start ${command}`, 'SPAWN_FAILED', { command });
    child.unref();
    writeFileSync(m.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Stops a managed process and its group: SIGTERM, then SIGKILL after graceMs. Resolves once it is gone. */
export async function stopManaged(m: Managed, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(m);
  if (pid === undefined) return false;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  rmSync(m.pidFile, { force: true });
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Polls probe() until it returns true, the deadline passes, or abortIf() explains why waiting is pointless. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; abortIf?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const why = opts.abortIf?.();
    if (why) throw new InfraError(`${what}: ${why}`, 'NOT_READY');
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new InfraError(`${what}: not ready after ${Math.round(opts.timeoutMs / 1000)} s`, 'NOT_READY');
    await sleep(opts.intervalMs ?? 250);
  }
}

/** The last lines of a log file, to explain a process that died at start-up. */
export function tailOf(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
