// The chiso process that runs the worker (and the sink beside it, as a province's worker host does)
// is SIGKILLed while a replay's ingestion activity is in flight, started the way a server starts it
// (`chiso serve` with CHISO_ROLES=sink,worker). A second process takes over: the replay resumes from
// the server's history and succeeds, and every indicator value equals a clean run's of the same export.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pseudonymiser } from '../../connectors/pii.ts';
import { ingestFromApi } from '../../connectors/http/ingest-api.ts';
import { createChisoProducer } from '../../connectors/producer.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { loadConfig } from '../../schemas/config.ts';
import { loadReferenceData } from '../../indicators/load.ts';
import { createLogger } from '../../lib/logger.ts';
import { startSimulator, type Simulator } from '../support/source-simulator/server.ts';
import type { IngestResult } from '../../workflows/ingest.ts';
import type { ReplaySummary } from '../../workflows/replay.ts';
import { randomName } from '../support/env.ts';
import { exportFolder, finalRun, producedOf, sampleLines, TOKEN } from '../integration/ops-helpers.ts';
import { waitUntil } from '../integration/sink-fixtures.ts';
import { beside, differences } from './clean-run.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TO = '2026-01-01T00:00:00+07:00';
const PII = 'replay-kill-pii-secret-0123456789';
const log = createLogger('silent');
const step = (what: string) => process.stderr.write(`[worker-kill-replay] ${new Date().toISOString()} ${what}\n`);
const id = (p: string) => randomName(p).replace(/_/g, '-');
const dataDir = mkdtempSync(join(tmpdir(), 'chiso-fault-replay-'));
const env: Record<string, string> = {
  ...(inject('stackEnv') as Record<string, string>),
  CHISO_DATA_DIR: dataDir,
  CLICKHOUSE_DATABASE: randomName('t'),
  KAFKA_TOPIC_PREFIX: `${randomName('rk')}.`,
  CHISO_SINK_GROUP: randomName('sink'),
  TEMPORAL_TASK_QUEUE: randomName('tq'),
  CHISO_PII_SECRET: PII,
  CHISO_SOURCE_API_TOKEN: TOKEN,
  CHISO_LOG_LEVEL: 'warn',
  CHISO_ROLES: 'sink,worker',
};
const cfg = loadConfig(env);
let simulator: Simulator;
let connection: Connection;
let client: Client;
const children: ChildProcess[] = [];

/** `chiso serve` as a server starts it; resolves once its worker polls the task queue. */
async function serve(): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; log: string }> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'chiso.js'), 'serve'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  if (process.env.DEBUG_SERVE) child.stdout?.pipe(process.stderr);
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  if (process.env.DEBUG_SERVE) child.stderr?.pipe(process.stderr);
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; log: string }>((res) => child.once('exit', (code, signal) => res({ code, signal, log: out })));
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`chiso serve exited ${child.exitCode}: ${out.slice(-2000)}`);
      // A poller of this very process (the SDK's identity is pid@host): a killed one stays listed a while.
      const r = await connection.workflowService.describeTaskQueue({ namespace: cfg.temporal.namespace, taskQueue: { name: cfg.temporal.taskQueue, kind: 1 }, taskQueueType: 1 });
      return (r.pollers ?? []).some((p) => (p.identity ?? '').startsWith(`${child.pid}@`));
    },
    120_000,
    () => `chiso serve never polled: ${out.slice(-2000)}`,
  );
  return { child, exited };
}

beforeAll(async () => {
  // The reference data an operator imports, written before any chiso process owns the store.
  const store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  await loadReferenceData(store, log);
  await store.close();
  const { dir } = exportFolder(sampleLines(0, 30));
  simulator = await startSimulator({ dir, token: TOKEN, log, host: '127.0.0.1' });
  env.CHISO_SOURCE_API_URL = simulator.url;
  connection = await Connection.connect({ address: cfg.temporal.address });
  client = new Client({ connection, namespace: cfg.temporal.namespace });
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await connection?.close();
  await simulator?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('fault: the worker process SIGKILLed mid-replay', () => {
  it('a new process finishes the replay, with the values of a clean run', { timeout: 400_000 }, async () => {
    const tq = cfg.temporal.taskQueue;
    const first = await serve();
    step('first process polls');
    const runId = id('run');
    const ingested = (await client.workflow.execute('ingest', { taskQueue: tq, workflowId: `ingest-${runId}`, args: [{ source: 'one-stop-shop', entity: 'dossiers', origin: simulator.url, to: TO, runId }] })) as IngestResult;
    expect(ingested.runs.at(-1)?.status).toBe('succeeded');
    step('ingested');
    await waitForSink({ kafka: createKafka(cfg, log, randomName('wait')), groupId: cfg.sinkGroup ?? '', produced: producedOf(ingested.runs), timeoutMs: 120_000 });
    // A first replay, undisturbed: the run is in the ledger and its days computed.
    const warm = (await client.workflow.execute('replay', { taskQueue: tq, workflowId: id('warm'), args: [{ runId, replayRunId: id('warm') }] })) as ReplaySummary;
    expect(warm.runs.at(-1)?.status).toBe('succeeded');
    step('warm replay done');

    // The source answers slowly: the replay's ingestion activity is in flight when the process dies.
    simulator.control.set({ delayMs: 3000 });
    const replayRunId = id('replay');
    const handle = await client.workflow.start('replay', { taskQueue: tq, workflowId: `replay-${replayRunId}`, args: [{ runId, replayRunId, sinkTimeoutMs: 120_000 }] });
    const child = client.workflow.getHandle(`ingest-${replayRunId}`);
    await waitUntil(
      async () => {
        const d = await child.describe().catch(() => undefined);
        return d?.raw.pendingActivities?.some((a) => a.activityType?.name === 'ingestOrigin' && (a.attempt ?? 0) >= 1 && a.lastStartedTime) ?? false;
      },
      60_000,
      'the replay never started its ingestion',
    );
    step('replay ingestion in flight: SIGKILL');
    first.child.kill('SIGKILL');
    const gone = await first.exited;
    expect(gone.signal, gone.log.slice(-2000)).toBe('SIGKILL');

    simulator.control.clear();
    const second = await serve();
    step('second process polls');
    const summary = (await handle.result()) as ReplaySummary;
    step(`replay done: ${JSON.stringify(summary.runs)}`);
    expect(summary.runs.map((r) => [r.runId, r.status, r.read])).toEqual([[replayRunId, 'succeeded', 30]]);
    expect(summary.days.length).toBeGreaterThan(0);
    // The ingestion ran again on the new process: its activity's recorded attempt is not the first.
    const history = await child.fetchHistory();
    expect(history.events?.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2)).toBe(true);
    second.child.kill('SIGTERM');
    const stopped = await second.exited;
    expect(stopped.code, stopped.log.slice(-2000)).toBe(0);

    // The process owned chDB; now this one reads it, beside a clean run of the same export.
    const store: Store = await openStore(cfg.clickhouse);
    try {
      expect(await finalRun(store, replayRunId)).toMatchObject({ status: 'succeeded', read: 30, replay_of: runId });
      const kafka = createKafka(cfg, log, randomName('clean'));
      const { faulted, clean } = await beside(
        cfg,
        store,
        {
          events: 30,
          days: { from: [...summary.days].sort()[0] as string, to: [...summary.days].sort().at(-1) as string },
          reference: (s) => loadReferenceData(s, log),
          recomputeFaulted: false,
          produce: async (prefix) => {
            const producer = await createChisoProducer(kafka, log);
            try {
              const run = await ingestFromApi(
                { producer, log, pseudonymise: pseudonymiser(PII), topicPrefix: prefix },
                { source: 'one-stop-shop', entity: 'dossiers', baseUrl: simulator.url, token: TOKEN, to: TO, checkpointDir: mkdtempSync(join(tmpdir(), 'chiso-clean-cp-')), runId: id('clean') },
              );
              expect(run.status).toBe('succeeded');
            } finally {
              await producer.disconnect();
            }
          },
        },
        log,
      );
      expect(faulted.length).toBeGreaterThan(10);
      expect(differences(faulted, clean)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
