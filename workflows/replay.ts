// replay({ runId }): reads a run's origin again (the same file, the same API window) as a new run
// linked to it (replay_of), through Kafka and the sink, waits until the sink has written it, then
// recomputes the indicator days the records count on. Each step is durable: a worker killed midway
// resumes where the history stands (the child ingestion's run keeps its id, the sink drops duplicates).
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, executeChild, proxyActivities } from '@temporalio/workflow';
import type { IngestActivities } from './activities/ingest.ts';
import type { IngestResult } from './activities/ingest-input.ts';
import type { computeIndicators } from './compute-indicators.ts';
import { ingest, ingestWorkflowId } from './ingest.ts';
import type { ComputeSummary } from './lib/run-compute.ts';

export interface ReplayInput {
  /** The run to replay. */
  runId: string;
  /** The new run's id (the CLI names it, so it can print it at once). */
  replayRunId: string;
  /** How long to wait for the sink (default 10 minutes). */
  sinkTimeoutMs?: number;
  /** Attempts of the ingestion (default 3). */
  attempts?: number;
}

export interface ReplaySummary {
  replayed: string;
  runs: IngestResult['runs'];
  /** The days recomputed: those the original run's and the replay's records count on. */
  days: string[];
  compute: ComputeSummary | null;
}

export const replayWorkflowId = (replayRunId: string) => `replay-${replayRunId}`;

const { lookupRun, waitForRuns, daysOfRuns } = proxyActivities<IngestActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** A step's failure surfaces with its own reason and type (what the Temporal UI and the CLI show), not "child failed". */
function unwrap(e: unknown): unknown {
  if ((e instanceof ChildWorkflowFailure || e instanceof ActivityFailure) && e.cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({ message: e.cause.message, type: e.cause.type ?? 'REPLAY_FAILED', nonRetryable: true, details: e.cause.details ?? [] });
  }
  return e;
}

export async function replay(input: ReplayInput): Promise<ReplaySummary> {
  let run: Awaited<ReturnType<typeof lookupRun>>;
  let result: IngestResult;
  try {
    run = await lookupRun(input.runId);
    result = await executeChild(ingest, {
      workflowId: ingestWorkflowId(input.replayRunId),
      args: [{ ...run.plan, runId: input.replayRunId, replayOf: input.runId, force: true, ...(input.attempts ? { attempts: input.attempts } : {}) }],
    });
  } catch (e) {
    throw unwrap(e);
  }
  const produced: Record<string, string> = {};
  for (const r of result.runs) for (const [k, v] of Object.entries(r.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
  await waitForRuns({ produced, timeoutMs: input.sinkTimeoutMs ?? 600_000 });
  // Records the sink already had keep the original run's id: its days count too.
  const days = await daysOfRuns([input.runId, ...result.runs.map((r) => r.runId)]);
  let compute: ComputeSummary | null = null;
  if (days.length > 0) {
    try {
      compute = await executeChild<typeof computeIndicators>('computeIndicators', { workflowId: `compute-${input.replayRunId}`, args: [{ days }] });
    } catch (e) {
      throw unwrap(e);
    }
  }
  return { replayed: input.runId, runs: result.runs, days, compute };
}
