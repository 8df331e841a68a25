// The replay activities: look a run up in the ledger and say how to read its origin again (the same
// file, the same API window), refusing when the origin is gone; wait until the sink has written what
// a replay produced; and the days the replayed records count on, for the recomputation.
import { existsSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import type { Kafka } from 'kafkajs';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { select } from '../../infra/clickhouse/store.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { entityName, sourceId } from '../../schemas/events.ts';
import { SINK_GROUP } from '../../schemas/topics.ts';
import { runDaysSql } from '../../indicators/run-days.ts';
import { mapFailures, withHeartbeat } from './support.ts';
import type { ActivityDeps } from './deps.ts';
import { type IngestInput, isUrl } from './ingest-input.ts';

/** An API run without a lower bound read everything: its replay reads from the beginning of time, explicitly. */
export const BEGINNING = '1970-01-01T07:00:00+07:00';

export interface RunToReplay {
  runId: string;
  status: string;
  /** How to read the origin again (no runId: the replay names its own). */
  plan: Omit<IngestInput, 'runId' | 'replayOf' | 'force' | 'attempts'>;
}

/** The base URL and the window of an API run's origin (connectors/http/client.ts windowUrl). */
export function apiWindowOf(origin: string, entity: string): { baseUrl: string; from: string; to: string } | undefined {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return undefined;
  }
  const to = u.searchParams.get('to');
  const suffix = `/${entity}`;
  if (!to || !u.pathname.endsWith(suffix)) return undefined;
  const base = new URL(u.toString());
  base.search = '';
  base.pathname = u.pathname.slice(0, -suffix.length) || '/';
  return { baseUrl: base.toString().replace(/\/+$/, ''), from: u.searchParams.get('from') ?? BEGINNING, to };
}

export function createReplayActivities({ cfg, store, log }: ActivityDeps) {
  const rlog = log.child({ component: 'replay' });
  let kafka: Kafka | undefined;
  return mapFailures({
    async lookupRun(runId: string): Promise<RunToReplay> {
      const [run] = await select<{ run_id: string; source: string; entity: string; origin: string; status: string }>(
        store,
        `SELECT run_id, source, entity, origin, toString(status) AS status FROM ${store.db}.ingest_runs FINAL WHERE run_id = {id:String}`,
        { id: runId },
      );
      if (!run) throw ApplicationFailure.nonRetryable(`no ingestion run ${runId} in the ledger (see chiso runs)`, 'RUN_NOT_FOUND');
      const source = sourceId.parse(run.source);
      const entity = entityName.parse(run.entity);
      if (isUrl(run.origin)) {
        const w = apiWindowOf(run.origin, entity);
        if (!w) throw ApplicationFailure.nonRetryable(`run ${runId}: cannot tell the API window from its origin ${run.origin}`, 'ORIGIN_UNKNOWN');
        return { runId, status: run.status, plan: { source, entity, origin: w.baseUrl, from: w.from, to: w.to } };
      }
      if (!existsSync(run.origin)) {
        throw ApplicationFailure.nonRetryable(
          `cannot replay run ${runId}: its export ${run.origin} is gone (moved or deleted); put the file back at that path, or ingest it from its new place with chiso ingest`,
          'ORIGIN_GONE',
          { runId, origin: run.origin },
        );
      }
      rlog.info({ run_id: runId, origin: run.origin }, 'replaying a run');
      return { runId, status: run.status, plan: { source, entity, origin: run.origin } };
    },

    async waitForRuns(input: { produced: Record<string, string>; timeoutMs: number }): Promise<void> {
      kafka ??= createKafka(cfg, rlog, 'chiso-worker-replay');
      const k = kafka;
      await withHeartbeat((beat) => waitForSink({ kafka: k, groupId: cfg.sinkGroup ?? SINK_GROUP, produced: input.produced, timeoutMs: input.timeoutMs, onProgress: (p) => beat(p) }));
    },

    async daysOfRuns(runIds: string[]): Promise<string[]> {
      const rows = await select<{ day: string }>(store, runDaysSql(store.db, '{runs:Array(String)}'), { runs: runIds });
      return rows.map((r) => r.day);
    },
  });
}
export type ReplayActivities = ReturnType<typeof createReplayActivities>;
