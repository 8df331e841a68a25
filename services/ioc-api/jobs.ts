// The API's side of the operator's write commands: one Temporal client (connected on first use,
// closed with the API) that starts workflows on the worker, and the state of a started one as the
// CLI and the dashboard follow it: running, or its result, or its failure with its own reason.
import { ApplicationFailure, Client, Connection, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../../infra/kafka/client.ts';
import type { Config } from '../../schemas/config.ts';
import { requireWorker } from '../../infra/temporal/client.ts';
import { InfraError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';

/** Workflow ids an operator may follow through the API: those the API (or the CLI) starts for operators. */
export const JOB_PREFIXES = ['ingest-', 'replay-', 'chiso-compute-', 'chiso-nightly-manual-', 'chiso-import-'] as const;

export interface JobState {
  id: string;
  status: 'running' | 'completed' | 'failed';
  result?: unknown;
  error?: string;
  type?: string;
  /** The failure's details (an ingestion's run summaries). */
  details?: unknown;
  /** The backfill's progress query, while it runs. */
  progress?: unknown;
}

export interface Jobs {
  /** Starts a workflow on the worker's task queue; fails with NO_WORKER when none polls it. */
  start(workflow: string, workflowId: string, args: unknown[]): Promise<void>;
  /** The state of a job, waiting up to waitMs for it to end. undefined: no such workflow. */
  state(workflowId: string, waitMs: number): Promise<JobState | undefined>;
  kafka(): Kafka;
  close(): Promise<void>;
}

/** The failure's own words: the run's reason (ORIGIN_GONE, NOT_INGESTED...) rather than "workflow failed". */
function failureOf(e: WorkflowFailedError): Pick<JobState, 'error' | 'type' | 'details'> {
  let c: unknown = e.cause;
  while (c instanceof Error && !(c instanceof ApplicationFailure) && 'cause' in c && c.cause instanceof Error) c = c.cause;
  if (c instanceof ApplicationFailure) return { error: c.message, ...(c.type ? { type: c.type } : {}), ...(c.details?.[0] !== undefined ? { details: c.details[0] } : {}) };
  return { error: c instanceof Error ? c.message : e.message };
}

export function createJobs(cfg: Config, log: Logger): Jobs {
  let client: Promise<Client> | undefined;
  let connection: Connection | undefined;
  let kafka: Kafka | undefined;
  const connect = (): Promise<Client> => {
    client ??= Connection.connect({ address: cfg.temporal.address, connectTimeout: 5_000 })
      .then((c) => {
        connection = c;
        return new Client({ connection: c, namespace: cfg.temporal.namespace });
      })
      .catch((e: unknown) => {
        client = undefined;
        throw new InfraError(`the API cannot reach Temporal at ${cfg.temporal.address}`, 'TEMPORAL_UNREACHABLE', {}, { cause: e, retriable: true });
      });
    return client;
  };
  return {
    async start(workflow, workflowId, args) {
      const c = await connect();
      await requireWorker(c, cfg);
      await c.workflow.start(workflow, { taskQueue: cfg.temporal.taskQueue, workflowId, args });
      log.info({ workflow, workflowId }, 'operator job started');
    },
    async state(workflowId, waitMs) {
      const c = await connect();
      const handle = c.workflow.getHandle(workflowId);
      // Polls the description (no long poll left behind when the caller stops waiting).
      const deadline = Date.now() + waitMs;
      for (;;) {
        let running: boolean;
        try {
          running = (await handle.describe()).status.name === 'RUNNING';
        } catch (e) {
          if (e instanceof WorkflowNotFoundError) return undefined;
          throw e;
        }
        if (!running) break;
        if (Date.now() >= deadline) {
          const progress = workflowId.startsWith('chiso-compute-') ? await handle.query('progress').catch(() => undefined) : undefined;
          return { id: workflowId, status: 'running', ...(progress !== undefined ? { progress } : {}) };
        }
        await new Promise((r) => setTimeout(r, Math.min(1_000, Math.max(0, deadline - Date.now()))));
      }
      const result = handle.result();
      try {
        return { id: workflowId, status: 'completed', result: await result };
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) return undefined;
        if (e instanceof WorkflowFailedError) return { id: workflowId, status: 'failed', ...failureOf(e) };
        throw e;
      }
    },
    kafka() {
      kafka ??= createKafka(cfg, log, 'chiso-api');
      return kafka;
    },
    async close() {
      await connection?.close().catch(() => undefined);
    },
  };
}
