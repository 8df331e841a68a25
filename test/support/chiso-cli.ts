// The `chiso` binary as an operator runs it, for the tests that drive the CLI: one asynchronous call
// (the test process keeps serving its own servers meanwhile) that never throws, and the environment
// of a stack of its own (its own ports and data directory, none of the test stack's services) or of
// a chiso process on the test stack's broker and Temporal server.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { randomName } from './env.ts';
import { freePortRun } from './ports.ts';

export const BIN = fileURLToPath(new URL('../../bin/chiso.js', import.meta.url));

export interface CliResult {
  /** The exit code; 1 when the process ended without one (a signal, the timeout). */
  code: number;
  out: string;
  err: string;
}

/** `chiso <args>` with exactly `env` (callers add process.env where they want it), bounded to 5 minutes. */
export function runChiso(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (e, out, err) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }),
    );
  });
}

/** The variables of a whole stack of its own (`chiso up` starts its broker, Temporal and chiso) in `dataDir`, on free ports. */
export async function ownStackEnv(dataDir: string): Promise<Record<string, string>> {
  const k = await freePortRun(2);
  const t = await freePortRun(4);
  const api = await freePortRun(1);
  return {
    CHISO_DATA_DIR: dataDir,
    KAFKA_PORT: String(k),
    KAFKA_CONTROLLER_PORT: String(k + 1),
    TEMPORAL_PORT: String(t),
    TEMPORAL_UI_PORT: String(t + 3),
    CHISO_API_PORT: String(api),
    // The test stack's services must not leak into this one.
    KAFKA_BROKERS: '',
    TEMPORAL_ADDRESS: '',
    CLICKHOUSE_URL: '',
  };
}

/** The variables of a chiso process on the test stack's Kafka and Temporal, with its own data directory, topics (`label`), task queue, sink group and API port. */
export async function onTestStackEnv(dataDir: string, label: string): Promise<Record<string, string>> {
  const stack = inject('stackEnv');
  return {
    CHISO_DATA_DIR: dataDir,
    KAFKA_BROKERS: stack.KAFKA_BROKERS ?? '',
    TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS ?? '',
    KAFKA_TOPIC_PREFIX: `${randomName(label)}.`,
    TEMPORAL_TASK_QUEUE: randomName('tq'),
    CHISO_SINK_GROUP: randomName('sink'),
    CHISO_API_PORT: String(await freePortRun(1)),
  };
}
