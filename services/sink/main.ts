// The sink as a process of its own (a ClickHouse server deployment, and the crash tests): loads the
// config, opens the store (refused when its migrations are behind, unless CHISO_AUTO_MIGRATE=1), runs the sink until SIGTERM/SIGINT, then drains and closes.
import { openStore } from '../../infra/clickhouse/store.ts';
import { loadConfig } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { ensureMigrated } from '../../infra/clickhouse/store-gate.ts';
import { createSink } from './index.ts';

const cfg = loadConfig(process.env);
const log = createLogger(cfg.logLevel, { name: 'chiso-sink' });
const store = await openStore(cfg.clickhouse);
await ensureMigrated(cfg, store, log);
const sink = createSink({ cfg, store, log });
await sink.start();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'sink stopping');
  try {
    await sink.stop();
    await store.close();
    process.exit(0);
  } catch (e) {
    log.error({ err: e }, 'sink stop failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
