// The sink as a child process (services/sink/main.ts) for the tests that SIGKILL it: it owns the
// test config's chDB directory and database, reads the config's topic prefix in its own group, and
// talks to the shared stack (vitest's stackEnv). A test opens the chDB directory itself only once the
// last child has exited.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Admin } from 'kafkajs';
import { inject } from 'vitest';
import type { Config } from '../../schemas/config.ts';
import { topics } from '../../schemas/topics.ts';
import { measureLag } from '../../services/sink/health.ts';

export interface SinkExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the child wrote on stderr (its log). */
  log: string;
}

export interface SinkChild {
  child: ChildProcess;
  exited: Promise<SinkExit>;
}

/** `fault`: a CHISO_FAULT hook of the sink (sink-kill-after-insert, sink-kill-before-commit), or none. */
export function startSinkChild(cfg: Config, groupId: string, fault?: string): SinkChild {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...inject('stackEnv'),
    CHISO_DATA_DIR: cfg.dataDir,
    CLICKHOUSE_DATABASE: cfg.clickhouse.database,
    KAFKA_TOPIC_PREFIX: cfg.kafka.topicPrefix,
    CHISO_SINK_GROUP: groupId,
    CHISO_LOG_LEVEL: 'info',
    // The child owns the chDB directory: it migrates its own store.
    CHISO_AUTO_MIGRATE: '1',
  };
  if (fault) env.CHISO_FAULT = fault;
  else delete env.CHISO_FAULT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/sink/main.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (b: Buffer) => (log += b.toString('utf8')));
  return { child, exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, log }))) };
}

/** Messages of the prefix's topics the group has not committed, summed. */
export async function totalLag(admin: Admin, groupId: string, prefix: string): Promise<number> {
  return Object.values(await measureLag(admin, groupId, topics(prefix).all, 5000)).reduce((a, b) => a + b, 0);
}
