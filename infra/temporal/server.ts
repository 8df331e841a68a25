// The Temporal dev server (`temporal server start-dev`) on a loopback port, its state in a SQLite
// file under the data directory so that schedules and histories survive a restart.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import type { Config } from '../../schemas/config.ts';
import { stackPaths } from '../paths.ts';
import { isAlive, runningPid, startDetached, stopManaged, tailOf, waitUntil } from '../process.ts';
import type { Progress } from '../tools.ts';
import { ensureTemporalCli } from './obtain.ts';

/** True when the frontend's gRPC health check answers SERVING. */
export async function temporalReady(address: string): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: 1000 });
    const r = await conn.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
    return r.status === 1; // SERVING
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

export function temporalCliVersion(bin: string): string {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const m = /\(Server ([^,]+), UI ([^)]+)\)/.exec(r.stdout ?? '');
  return m ? `server ${m[1]}, ui ${m[2]}` : (r.stdout ?? '').trim();
}

export interface TemporalInfo {
  address: string;
  uiUrl?: string;
  pid: number;
  version: string;
  started: boolean;
}

export async function startTemporal(cfg: Config, progress: Progress, opts: { headless?: boolean } = {}): Promise<TemporalInfo> {
  const p = stackPaths(cfg).temporal;
  const bin = await ensureTemporalCli(cfg, progress);
  const version = temporalCliVersion(bin);
  const uiUrl = opts.headless ? undefined : `http://${cfg.bindHost}:${cfg.temporal.uiPort}`;
  const running = runningPid(p);
  if (running !== undefined && (await temporalReady(cfg.temporal.address))) {
    return { address: cfg.temporal.address, ...(uiUrl ? { uiUrl } : {}), pid: running, version, started: false };
  }
  if (running !== undefined) await stopManaged(p);
  mkdirSync(p.dir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--db-filename', p.db,
    '--ip', cfg.bindHost,
    '--port', String(cfg.temporal.port),
    // 'default' always exists; any other namespace is created at launch.
    ...(cfg.temporal.namespace === 'default' ? [] : ['--namespace', cfg.temporal.namespace]),
    '--log-level', 'warn',
    ...(opts.headless ? ['--headless'] : ['--ui-port', String(cfg.temporal.uiPort)]),
    // The metrics endpoint would take a fixed port: side-by-side stacks must not collide.
    '--metrics-port', String(cfg.temporal.port + 2),
    '--http-port', String(cfg.temporal.port + 1),
  ];
  const pid = startDetached(p, bin, args);
  progress(`Temporal (${version}) starting on ${cfg.temporal.address} (pid ${pid}, log ${p.logFile})`);
  try {
    await waitUntil('Temporal server', () => temporalReady(cfg.temporal.address), {
      timeoutMs: 90_000,
      intervalMs: 500,
      abortIf: () => (isAlive(pid) ? undefined : `the server exited at start-up; its log ends with:\n${tailOf(p.logFile)}`),
    });
  } catch (e) {
    await stopManaged(p);
    throw e;
  }
  return { address: cfg.temporal.address, ...(uiUrl ? { uiUrl } : {}), pid, version, started: true };
}

export async function stopTemporal(cfg: Config): Promise<boolean> {
  return stopManaged(stackPaths(cfg).temporal, 15_000);
}
