// The sink as a child process (services/sink/main.ts) for the tests that SIGKILL it: it owns the
// test config's chDB directory and database, reads the config's topic prefix in its own group, and
// talks to the shared stack (vitest's stackEnv). A test opens the chDB directory itself only once the
// last child has exited.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Admin, Producer } from 'kafkajs';
import { inject } from 'vitest';
import type { Config } from '../../schemas/config.ts';
import { randomName, testConfig } from '../support/env.ts';
import { testKafka } from '../integration/sink-fixtures.ts';
import { totalLag } from './sink-stack.ts';

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

/**
 * What a child-sink case drives its children with: a config of its own (topic prefix, chDB directory
 * and database), the sink group, a producer and an admin on the shared broker (connected by the
 * test), the group's lag, and a child sink of that config and group. `close` disconnects both.
 */
export interface ChildSinkRig {
  cfg: Config;
  prefix: string;
  groupId: string;
  admin: Admin;
  producer: Producer;
  lag(): Promise<number>;
  startSink(fault?: string): SinkChild;
  close(): Promise<void>;
}

export function childSinkRig(): ChildSinkRig {
  const prefix = `${randomName('p')}.`;
  const groupId = randomName('sink');
  const cfg = testConfig({ KAFKA_TOPIC_PREFIX: prefix });
  const kafka = testKafka(cfg.kafka.brokers);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  return {
    cfg,
    prefix,
    groupId,
    admin,
    producer,
    lag: () => totalLag(admin, groupId, prefix),
    startSink: (fault) => startSinkChild(cfg, groupId, fault),
    async close() {
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}
