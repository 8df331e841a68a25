// Supervision of the local stack's processes: start detached with a pid file and a log file,
// probe, stop (TERM, then KILL), and bounded waits. Used by `chiso up/down` and by the tests.
// A pid file holds the pid and the process's start time: a stale file whose pid now belongs to
// another process (after a reboot, or pid reuse) never makes chiso signal that process.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from '../lib/errors.ts';

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

/**
 * When a process started, as a string to compare: field 22 of /proc/<pid>/stat (clock ticks after
 * boot) on Linux, else `ps -o lstart=`. Undefined when there is no such process.
 */
export function processStartTime(pid: number): string | undefined {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[19]; // fields[0] is field 3
    } catch {
      return undefined;
    }
  }
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface PidRecord {
  pid: number;
  /** processStartTime at start; absent in a pid file written before chiso recorded it. */
  startTime?: string;
}

/** The first line of a pid file is the pid, the second the process's start time. */
export function readPidRecord(pidFile: string): PidRecord | undefined {
  if (!existsSync(pidFile)) return undefined;
  const [first = '', second = ''] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(first.trim(), 10);
  if (!(Number.isFinite(pid) && pid > 0)) return undefined;
  return second.trim() ? { pid, startTime: second.trim() } : { pid };
}

export function readPid(pidFile: string): number | undefined {
  return readPidRecord(pidFile)?.pid;
}

/** True while the very process the record names runs: same pid and same start time. */
export function isSameProcess(r: PidRecord): boolean {
  if (r.startTime === undefined || !isAlive(r.pid)) return false;
  return processStartTime(r.pid) === r.startTime;
}

/**
 * The pid of a managed process that is still running, or undefined. A stale pid file is removed:
 * its process gone, or its pid now another process's (a different start time, or none recorded).
 */
export function runningPid(m: Managed): number | undefined {
  const r = readPidRecord(m.pidFile);
  if (r === undefined) return undefined;
  if (isSameProcess(r)) return r.pid;
  rmSync(m.pidFile, { force: true });
  return undefined;
}

let refusing = false;

/**
 * From now on startDetached refuses: a stop was asked (Ctrl-C during `chiso up`), and a process
 * started after `down` read the pid files would outlive this one. Every start before this call has
 * written its pid file already (startDetached is synchronous), so `down` finds it.
 */
export function refuseNewProcesses(): void {
  refusing = true;
}

/** Starts a process in its own process group, output appended to its log file, pid and start time recorded. */
export function startDetached(m: Managed, command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): number {
  if (refusing) throw new InfraError(`${m.name}: not started, the stack is stopping`, 'INTERRUPTED', {}, { retriable: false });
  mkdirSync(dirname(m.logFile), { recursive: true });
  mkdirSync(dirname(m.pidFile), { recursive: true });
  const fd = openSync(m.logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env, ...(cwd ? { cwd } : {}) });
    if (child.pid === undefined) throw new InfraError(`${m.name}: could not start ${command}`, 'SPAWN_FAILED', { command });
    child.unref();
    writeFileSync(m.pidFile, `${child.pid}\n${processStartTime(child.pid) ?? ''}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Stops a managed process and its group: SIGTERM, then SIGKILL after graceMs. Resolves once it is gone. */
export async function stopManaged(m: Managed, graceMs = 15_000): Promise<boolean> {
  // runningPid checks the start time: only the process this file recorded is ever signalled.
  if (runningPid(m) === undefined) return false;
  const r = readPidRecord(m.pidFile);
  if (r === undefined) return false;
  signalGroup(r.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isSameProcess(r) && Date.now() < deadline) await sleep(100);
  if (isSameProcess(r)) {
    signalGroup(r.pid, 'SIGKILL');
    while (isSameProcess(r)) await sleep(50);
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
