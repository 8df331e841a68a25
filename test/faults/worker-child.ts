// A chiso Temporal worker as a process of its own, so that the worker-kill fault case can SIGKILL
// it mid-activity: opens the store of its environment's config, loads the indicator fixture, runs
// the worker (no schedule) and prints "ready" once it polls. Each computeIndicatorPeriods activity
// prints "started" and waits two seconds before its work, so that a kill on that line lands inside it.
import { setTimeout as sleep } from 'node:timers/promises';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore } from '../../infra/clickhouse/store.ts';
import { loadConfig } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { createWorker } from '../../services/worker/index.ts';
import { type Activities, createActivities } from '../../workflows/activities/index.ts';
import { insertFixture } from '../integration/indicators-fixture.ts';

const cfg = loadConfig(process.env);
const log = createLogger('warn');
const store = await openStore(cfg.clickhouse);
await migrate(store, log);
await insertFixture(store);
const activities = createActivities({ cfg, store, log });
const marked: Activities = {
  ...activities,
  async computeIndicatorPeriods(...args: Parameters<Activities['computeIndicatorPeriods']>) {
    process.stdout.write('started\n');
    await sleep(2000);
    return activities.computeIndicatorPeriods(...args);
  },
};
await createWorker({ cfg, store, log, activities: marked }, { schedule: false }).start();
process.stdout.write('ready\n');
