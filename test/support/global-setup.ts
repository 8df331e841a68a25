// Starts the real Kafka broker and Temporal dev server once for the integration tier, with the same
// code as `chiso up`, on free ports under a throw-away CHISO_DATA_DIR; every test then makes its own
// topics, groups, task queues and databases with random names. KAFKA_BROKERS / TEMPORAL_ADDRESS in
// the environment point the tests at existing services instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { down, up } from '../../infra/stack.ts';
import { ensureTimeSkippingServer } from '../../infra/temporal/test-server.ts';
import { loadConfig } from '../../schemas/config.ts';
import { freePortRun } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
    timeSkippingServer: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiso-test-'));
  const kafkaPort = await freePortRun(2);
  const temporalPort = await freePortRun(3);
  const env: Record<string, string> = {
    CHISO_DATA_DIR: dataDir,
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(kafkaPort + 1),
    TEMPORAL_PORT: String(temporalPort),
    ...(process.env.KAFKA_BROKERS ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS } : {}),
    ...(process.env.TEMPORAL_ADDRESS ? { TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS } : {}),
    ...(process.env.CLICKHOUSE_URL ? { CLICKHOUSE_URL: process.env.CLICKHOUSE_URL } : {}),
    ...(process.env.CHISO_CACHE_DIR ? { CHISO_CACHE_DIR: process.env.CHISO_CACHE_DIR } : {}),
  };
  const cfg = loadConfig(env);
  const say = (line: string) => process.stderr.write(`[stack] ${line}\n`);
  const t0 = Date.now();
  const result = await up(cfg, say, { app: false, headless: true });
  say(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(result.timings)}`);
  const t1 = Date.now();
  const timeSkipping = await ensureTimeSkippingServer(cfg, say);
  say(`time-skipping test server ready in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  project.provide('stackEnv', { ...env, KAFKA_BROKERS: cfg.kafka.brokers.join(','), TEMPORAL_ADDRESS: cfg.temporal.address });
  project.provide('timeSkippingServer', timeSkipping);

  return async () => {
    await down(cfg, say);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
