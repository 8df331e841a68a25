// Shared by the operations tests: the real stack around one chDB store (the sink and a Temporal
// Worker over workflows/index.ts with createActivities, both in the test process), the source
// simulator on loopback over a folder of sample dossiers, and readers of the ledger and the values.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { loadReferenceData } from '../../indicators/load.ts';
import { createLogger, type Logger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { startSimulator, type Simulator } from '../support/source-simulator/server.ts';
import { WORKFLOWS_PATH } from '../../services/worker/index.ts';
import { createActivities } from '../../workflows/activities/index.ts';
import { randomName, testConfig } from '../support/env.ts';

export const TOKEN = 'ops-test-source-token-0123456789';
const SAMPLE = join(import.meta.dirname, '..', '..', 'infra', 'samples', 'data', 'one-stop-shop', 'dossiers.ndjson');

/** Lines [from, to) of the sample dossiers export. */
export function sampleLines(from: number, to: number): string[] {
  return readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(from, to);
}

/** A folder holding dossiers.ndjson with these lines; returns the folder and the file. */
export function exportFolder(lines: string[]): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'chiso-ops-'));
  const file = join(dir, 'dossiers.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { dir, file };
}

export interface OpsStack {
  cfg: Config;
  store: Store;
  log: Logger;
  sink: Sink;
  client: Client;
  simulator: Simulator;
  dir: string;
  /** Starts a Worker on the test's task queue; returns it with the promise of its run. */
  startWorker(): Promise<{ worker: Worker; running: Promise<void> }>;
  close(): Promise<void>;
}

export async function opsStack(lines: string[]): Promise<OpsStack> {
  const log = createLogger('warn', { name: 'ops-test' });
  const cfg = testConfig({
    KAFKA_TOPIC_PREFIX: `${randomName('ops')}.`,
    CHISO_SINK_GROUP: randomName('sink'),
    TEMPORAL_TASK_QUEUE: randomName('tq'),
    CHISO_PII_SECRET: 'ops-test-pii-secret-0123456789',
    CHISO_SOURCE_API_TOKEN: TOKEN,
  });
  const store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  await loadReferenceData(store, log);
  const sink = createSink({ cfg, store, log, options: { lingerMs: 200 } });
  await sink.start();
  const { dir } = exportFolder(lines);
  const simulator = await startSimulator({ dir, token: TOKEN, log, host: '127.0.0.1' });
  const connection = await Connection.connect({ address: cfg.temporal.address });
  const client = new Client({ connection, namespace: cfg.temporal.namespace });
  const workers: { worker: Worker; running: Promise<void>; native: NativeConnection }[] = [];
  return {
    cfg,
    store,
    log,
    sink,
    client,
    simulator,
    dir,
    async startWorker() {
      const native = await NativeConnection.connect({ address: cfg.temporal.address });
      const worker = await Worker.create({
        connection: native,
        namespace: cfg.temporal.namespace,
        taskQueue: cfg.temporal.taskQueue,
        workflowsPath: WORKFLOWS_PATH,
        activities: createActivities({ cfg, store, log }),
        // An abrupt stop: activities in flight are cancelled at once, not waited for.
        shutdownGraceTime: '100 ms',
      });
      const running = worker.run();
      workers.push({ worker, running, native });
      return { worker, running };
    },
    async close() {
      for (const w of workers) {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
        await w.running.catch(() => undefined);
        await w.native.close();
      }
      await simulator.stop();
      await sink.stop();
      await connection.close();
      await store.close();
    },
  };
}

export interface LedgerRow {
  run_id: string;
  status: string;
  read: number;
  accepted: number;
  rejected: number;
  error: string;
  replay_of: string;
  origin: string;
}

/** The ledger row of a run once it is final (polled: the final row follows the run's last records). */
export async function finalRun(store: Store, runId: string, timeoutMs = 60_000): Promise<LedgerRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [r] = await select<LedgerRow>(
      store,
      `SELECT run_id, toString(status) AS status, toUInt64(read) AS read, toUInt64(accepted) AS accepted, toUInt64(rejected) AS rejected, error, replay_of, origin
       FROM ${store.db}.ingest_runs FINAL WHERE run_id = {id:String}`,
      { id: runId },
    );
    if (r && r.status !== 'running') return { ...r, read: Number(r.read), accepted: Number(r.accepted), rejected: Number(r.rejected) };
    if (Date.now() > deadline) throw new Error(`run ${runId} not final after ${timeoutMs} ms (${r ? r.status : 'absent'})`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Every indicator value of these periods' days and longer periods, as "indicator unit period start = value" lines. */
export async function values(store: Store, where = '1'): Promise<string[]> {
  const rows = await select<{ k: string }>(
    store,
    `SELECT concat(indicator, ' ', unit_code, ' ', toString(period), ' ', toString(period_start), ' = ', toString(round(value, 6)), ' (', toString(numerator), '/', toString(denominator), ')') AS k
     FROM ${store.db}.indicator_values FINAL WHERE ${where} ORDER BY k`,
  );
  return rows.map((r) => r.k);
}

/** Row counts of the data tables (FINAL where a table keeps one row per key). */
export async function tableCounts(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, final] of [['raw_events', false], ['dossiers', true], ['touched_days', true], ['indicator_values', true], ['raw_events', true]] as const) {
    const [r] = await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.${name}${final ? ' FINAL' : ''}`);
    out[`${name}${final ? ' FINAL' : ''}`] = Number(r?.c ?? 0);
  }
  return out;
}

/** The highest produced offset per topic-partition over some runs (what waitForSink takes). */
export function producedOf(runs: { producedOffsets: Record<string, string> }[]): Record<string, string> {
  const produced: Record<string, string> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
  return produced;
}
