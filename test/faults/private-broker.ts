// A private Kafka broker (own CHISO_DATA_DIR and ports) with a chDB store and a sink over it, for the
// tests that stop or kill the broker: the shared broker of global-setup stays up for everyone else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { startBroker, stopBroker } from '../../infra/kafka/broker.ts';
import { type Config, loadConfig } from '../../schemas/config.ts';
import type { Logger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { randomName } from '../support/env.ts';
import { freePortRun } from '../support/ports.ts';

export interface PrivateBrokerStack {
  cfg: Config;
  store: Store;
  sink: Sink;
  /** The topic prefix and sink group of this stack. */
  prefix: string;
  groupId: string;
  /** Stops the sink, closes the store, stops the broker and removes the data directory. */
  stop(): Promise<void>;
}

export async function startPrivateBrokerStack(label: string, log: Logger): Promise<PrivateBrokerStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `${label}-`));
  const prefix = `${randomName('p')}.`;
  const groupId = randomName('sink');
  const { KAFKA_BROKERS: _shared, ...stackEnv } = inject('stackEnv');
  const port = await freePortRun(2);
  const cfg = loadConfig({
    ...stackEnv,
    CHISO_DATA_DIR: dataDir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_TOPIC_PREFIX: prefix,
    CLICKHOUSE_DATABASE: randomName('t'),
    CHISO_LOG_LEVEL: 'error',
  });
  await startBroker(cfg, () => undefined);
  const store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  const sink = createSink({ cfg, store, log, groupId });
  await sink.start();
  return {
    cfg,
    store,
    sink,
    prefix,
    groupId,
    async stop() {
      await sink.stop().catch(() => undefined);
      await store.close();
      await stopBroker(cfg);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
