// The embedded stack as one unit: `up` starts what is not configured elsewhere (Kafka broker,
// Temporal dev server, then the all-in-one chiso process), `down` stops what `up` started,
// `status` reports each part.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../schemas/config.ts';
import { cliApiToken } from './secrets/api-tokens.ts';
import { InfraError } from '../lib/errors.ts';
import { describeGenerated, ensureSecrets, secretsOfRoles } from './secrets/secrets.ts';
import { kafkaReady, startBroker, stopBroker } from './kafka/broker.ts';
import { KAFKA_VERSION } from './kafka/obtain.ts';
import { stackPaths } from './paths.ts';
import { isAlive, runningPid, startDetached, stopManaged, tailOf, waitUntil } from './process.ts';
import { TEMPORAL_CLI_VERSION } from './temporal/obtain.ts';
import { startTemporal, stopTemporal, temporalCliVersion, temporalReady } from './temporal/server.ts';
import type { Progress } from './tools.ts';
import { APP_NODE_FLAGS } from './node-flags.ts';

const APP_MAIN = fileURLToPath(new URL('../services/all-in-one/main.ts', import.meta.url));

export interface PartStatus {
  part: 'kafka' | 'temporal' | 'clickhouse' | 'chiso';
  state: 'up' | 'down' | 'external' | 'unreachable';
  where: string;
  version?: string;
  pid?: number;
  detail?: string;
}

export interface UpResult {
  dashboard: string;
  temporalUi?: string;
  parts: PartStatus[];
  timings: Record<string, number>;
}

function appUrl(cfg: Config): string {
  return `http://${cfg.bindHost}:${cfg.api.port}`;
}

async function appHealthy(cfg: Config): Promise<boolean> {
  try {
    const r = await fetch(`${appUrl(cfg)}/health/live`, { signal: AbortSignal.timeout(2000) });
    return r.status === 200;
  } catch {
    return false;
  }
}

export async function up(cfg: Config, progress: Progress, opts: { headless?: boolean; app?: boolean } = {}): Promise<UpResult> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      timings[name] = Date.now() - t;
    }
  };
  let temporalUi: string | undefined;
  if (cfg.kafka.external) {
    if (!(await kafkaReady(cfg.kafka.brokers))) {
      throw new InfraError(`KAFKA_BROKERS=${cfg.kafka.brokers.join(',')} does not answer: start that cluster, or unset KAFKA_BROKERS to run the local broker`, 'KAFKA_UNREACHABLE');
    }
  } else {
    await timed('kafka', () => startBroker(cfg, progress));
  }
  if (cfg.temporal.external) {
    if (!(await temporalReady(cfg.temporal.address))) {
      throw new InfraError(`TEMPORAL_ADDRESS=${cfg.temporal.address} does not answer: start that server, or unset TEMPORAL_ADDRESS to run the local dev server`, 'TEMPORAL_UNREACHABLE');
    }
  } else {
    const t = await timed('temporal', () => startTemporal(cfg, progress, { headless: opts.headless ?? false }));
    temporalUi = t.uiUrl;
  }
  if (opts.app !== false) await timed('chiso', () => startApp(cfg, progress));
  return { dashboard: `${appUrl(cfg)}/`, ...(temporalUi ? { temporalUi } : {}), parts: await status(cfg), timings };
}

async function startApp(cfg: Config, progress: Progress): Promise<void> {
  const p = stackPaths(cfg).app;
  if (runningPid(p) !== undefined && (await appHealthy(cfg))) return;
  await stopManaged(p);
  // The first start says where the generated secrets are (a server deployment refuses without its own).
  for (const g of ensureSecrets(cfg, secretsOfRoles(cfg.roles))) progress(describeGenerated(g));
  // The embedded store (chDB) is migrated by the process that owns it; a server is migrated by `chiso migrate`.
  const env = { ...process.env, CHISO_DATA_DIR: cfg.dataDir, ...(cfg.clickhouse.mode === 'chdb' ? { CHISO_AUTO_MIGRATE: '1' } : {}) };
  const pid = startDetached(p, process.execPath, [...APP_NODE_FLAGS, '--import', 'tsx', APP_MAIN], env);
  progress(`chiso all-in-one process starting (pid ${pid}, log ${p.logFile})`);
  try {
    await waitUntil('chiso process', () => appHealthy(cfg), {
      timeoutMs: 120_000,
      intervalMs: 300,
      abortIf: () => (isAlive(pid) ? undefined : `it exited at start-up; its log ends with:\n${tailOf(p.logFile)}`),
    });
  } catch (e) {
    await stopManaged(p);
    throw e;
  }
}

/** Stops what `up` started, the chiso process first so that it drains into a live broker. */
export async function down(cfg: Config, progress: Progress): Promise<string[]> {
  const stopped: string[] = [];
  const paths = stackPaths(cfg);
  if (await stopManaged(paths.app, 30_000)) stopped.push('chiso');
  if (!cfg.temporal.external && (await stopTemporal(cfg))) stopped.push('temporal');
  if (!cfg.kafka.external && (await stopBroker(cfg))) stopped.push('kafka');
  progress(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
  return stopped;
}

export async function status(cfg: Config): Promise<PartStatus[]> {
  const paths = stackPaths(cfg);
  const kafkaPid = runningPid(paths.kafka);
  const kafkaOk = await kafkaReady(cfg.kafka.brokers);
  const kafka: PartStatus = cfg.kafka.external
    ? { part: 'kafka', state: kafkaOk ? 'external' : 'unreachable', where: cfg.kafka.brokers.join(',') }
    : {
        part: 'kafka',
        state: kafkaOk && kafkaPid !== undefined ? 'up' : 'down',
        where: cfg.kafka.brokers.join(','),
        version: KAFKA_VERSION,
        ...(kafkaPid !== undefined ? { pid: kafkaPid } : {}),
      };

  const temporalPid = runningPid(paths.temporal);
  const temporalOk = await temporalReady(cfg.temporal.address);
  const cli = cfg.temporal.cli ?? join(cfg.cacheDir, 'temporal', TEMPORAL_CLI_VERSION, 'temporal');
  const temporal: PartStatus = cfg.temporal.external
    ? { part: 'temporal', state: temporalOk ? 'external' : 'unreachable', where: `${cfg.temporal.address} (${cfg.temporal.namespace})` }
    : {
        part: 'temporal',
        state: temporalOk && temporalPid !== undefined ? 'up' : 'down',
        where: `${cfg.temporal.address} (${cfg.temporal.namespace})`,
        ...(existsSync(cli) ? { version: temporalCliVersion(cli) } : {}),
        ...(temporalPid !== undefined ? { pid: temporalPid } : {}),
      };

  const appPid = runningPid(paths.app);
  let health: { parts?: Record<string, { ok: boolean; version?: string; detail?: string }> } | undefined;
  if (appPid !== undefined) {
    try {
      // The details (versions, where) need an operator token: the CLI's own.
      const token = cliApiToken(cfg);
      const r = await fetch(`${appUrl(cfg)}/health/ready`, { signal: AbortSignal.timeout(5000), ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
      const body = (await r.json()) as { details?: typeof health };
      health = body.details ?? {};
    } catch {
      health = undefined;
    }
  }
  const chiso: PartStatus = {
    part: 'chiso',
    state: health ? 'up' : 'down',
    where: appUrl(cfg),
    ...(appPid !== undefined ? { pid: appPid } : {}),
    ...(appPid !== undefined && !health ? { detail: `process runs but does not answer; see ${paths.app.logFile}` } : {}),
  };
  const ch = health?.parts?.clickhouse;
  const where = cfg.clickhouse.mode === 'chdb' ? `chDB ${cfg.clickhouse.chdbPath}` : (cfg.clickhouse.url ?? '');
  const clickhouse: PartStatus = ch
    ? { part: 'clickhouse', state: ch.ok ? 'up' : 'unreachable', where, ...(ch.version ? { version: ch.version } : {}), ...(ch.detail ? { detail: ch.detail } : {}) }
    : { part: 'clickhouse', state: 'down', where, detail: cfg.clickhouse.mode === 'chdb' ? 'opened by the chiso process when it runs' : 'the chiso process is not running' };
  return [kafka, temporal, clickhouse, chiso];
}

export function appLogTail(cfg: Config): string {
  const f = stackPaths(cfg).app.logFile;
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-20).join('\n') : '';
}
