// ingest({ source, entity?, origin, replayOf?, force? }): one ingestion as a Temporal workflow, so a run
// that fails (source API down after its retries, unreadable file, broker unreachable) is a failed
// workflow carrying the run's error and failure type. Its workflow id holds the run id.
import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { IngestActivities } from './activities/ingest.ts';
import type { IngestInput, IngestResult } from './activities/ingest-input.ts';

export type { IngestInput, IngestResult } from './activities/ingest-input.ts';

/** The workflow id of the ingestion whose run id is runId. */
export const ingestWorkflowId = (runId: string) => `ingest-${runId}`;

export async function ingest(input: IngestInput): Promise<IngestResult> {
  // A scheduled pull names no run: its workflow id (schedule id + time) is unique, and becomes the run id.
  const runId = input.runId ?? workflowInfo().workflowId;
  const { ingestOrigin } = proxyActivities<IngestActivities>({
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: Math.max(1, input.attempts ?? 3) },
  });
  try {
    return await ingestOrigin({ ...input, runId });
  } catch (e) {
    // The workflow fails with the run's own reason and type (what the Temporal UI shows first), not "activity failed".
    if (e instanceof ActivityFailure && e.cause instanceof ApplicationFailure) {
      throw ApplicationFailure.create({ message: e.cause.message, type: e.cause.type ?? 'INGEST_FAILED', nonRetryable: true, details: e.cause.details ?? [] });
    }
    throw e;
  }
}
