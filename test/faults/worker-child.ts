// A chiso Temporal worker as a process of its own, so that the worker-kill fault case can SIGKILL
// it mid-activity: opens the store of its environment's config, loads the indicator fixture, runs
// the worker (no schedule) and prints "ready" once it polls.
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore } from '../../infra/clickhouse/store.ts';
import { loadConfig } from '../../schemas/config.ts';
import { createLogger } from '../../services/lib/logger.ts';
import { createWorker } from '../../services/worker/index.ts';
import { insertFixture } from '../integration/indicators-fixture.ts';

const cfg = loadConfig(process.env);
const log = createLogger('warn');
const store = await openStore(cfg.clickhouse);
await migrate(store, log);
await insertFixture(store);
await createWorker({ cfg, store, log }, { schedule: false }).start();
process.stdout.write('ready\n');
