// The chiso Temporal worker as a Service: runs the workflows of workflows/ and the activities of
// createActivities on cfg.temporal.taskQueue, and makes sure the nightly schedule exists.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import { type Activities, createActivities } from '../../workflows/activities/index.ts';
import { loadCatalogue } from '../../indicators/load.ts';
import { InfraError, errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Health, Service } from '../../lib/service.ts';
import { temporalReady } from '../../infra/temporal/server.ts';
import { timedActivities } from './activity-metrics.ts';
import { installTemporalRuntime } from './runtime-logger.ts';
import { ensureMonthlyReportSchedule } from './report-schedule.ts';
import { ensurePullSchedules } from './pulls.ts';
import { ensureNightlySchedule } from './schedules.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  cfg: Config;
  store: Store;
  log: Logger;
  /** The activities to run: createActivities of these deps unless given (e.g. decorated ones). */
  activities?: Activities;
}

export interface WorkerOptions {
  /** false: no schedules (tests). */
  schedule?: boolean;
  /** Another id than chiso-nightly (tests on a shared server). */
  scheduleId?: string;
}

export function createWorker(deps: WorkerDeps, opts: WorkerOptions = {}): Service {
  const log = deps.log.child({ component: 'worker' });
  const { address, namespace, taskQueue } = deps.cfg.temporal;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let native: NativeConnection | undefined;
  let failure: Error | undefined;

  return {
    name: 'worker',
    async start() {
      installTemporalRuntime(deps.log);
      // The indicator catalogue the computation reads (code, not data). Units and targets are the
      // operator's: imported, or the demo ones that `chiso start` loads with the samples.
      log.info({ indicators: await loadCatalogue(deps.store) }, 'indicator catalogue loaded');
      try {
        native = await NativeConnection.connect({ address });
      } catch (e) {
        throw new InfraError(`cannot reach Temporal at ${address}: ${errorMessage(e)}`, 'TEMPORAL_UNREACHABLE', { address }, { cause: e });
      }
      // The Docker image bundles the workflows at build time (CHISO_WORKFLOW_BUNDLE): no webpack run at start.
      const bundle = deps.cfg.temporal.workflowBundle;
      if (bundle !== undefined && !existsSync(bundle)) {
        throw new InfraError(`CHISO_WORKFLOW_BUNDLE names ${bundle}, which does not exist: build it with infra/temporal/bundle-workflows.ts or unset the variable`, 'WORKFLOW_BUNDLE_MISSING', { bundle }, { retriable: false });
      }
      worker = await Worker.create({
        connection: native,
        namespace,
        taskQueue,
        ...(bundle !== undefined ? { workflowBundle: { codePath: bundle } } : { workflowsPath: WORKFLOWS_PATH }),
        activities: timedActivities(deps.activities ?? createActivities({ cfg: deps.cfg, store: deps.store, log: deps.log })),
      });
      running = worker.run().catch((e: unknown) => {
        failure = e as Error;
        log.error({ err: e }, 'worker stopped with an error');
      });
      if (opts.schedule !== false) {
        const connection = await Connection.connect({ address });
        try {
          const client = new Client({ connection, namespace });
          await ensureNightlySchedule(client, taskQueue, log, opts.scheduleId);
          await ensureMonthlyReportSchedule(client, taskQueue, log, opts.scheduleId ? `${opts.scheduleId}-report` : undefined);
          await ensurePullSchedules(client, deps.cfg, log, opts.scheduleId ? `${opts.scheduleId}-pull` : undefined);
        } finally {
          await connection.close();
        }
      }
      log.info({ taskQueue, namespace }, 'worker running');
    },
    async stop() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await native?.close();
    },
    async health(): Promise<Health> {
      // RUNNING alone does not say the polls reach the server: the worker keeps that state while Temporal is away.
      const state = worker?.getState() ?? 'INITIALIZED';
      const reachable = state === 'RUNNING' && (await temporalReady(address));
      const ok = state === 'RUNNING' && reachable;
      const reason = ok ? undefined : state !== 'RUNNING' ? `not polling (${state})` : 'Temporal unreachable';
      return { ok, detail: failure ? `${state}: ${failure.message}` : state, ...(reason ? { reason } : {}), taskQueue };
    },
  };
}
