// `chiso ingest` by default: the ingestion runs as the `ingest` workflow on the worker (the process
// that owns the store), so a failed run is a failed workflow with its reason in the Temporal UI. The
// run summaries come back as the workflow's result, or as the details of its failure.
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { newRunId } from '../../../connectors/files.ts';
import { type IngestInput, type IngestResult, ingestWorkflowId } from '../../../workflows/ingest.ts';
import type { Context } from '../context.ts';
import { requireWorker, withTemporal } from '../../../infra/temporal/client.ts';

export async function ingestViaWorkflow(ctx: Context, input: Omit<IngestInput, 'runId'>): Promise<IngestResult & { error?: string }> {
  const runId = newRunId();
  const workflowId = ingestWorkflowId(runId);
  return withTemporal(ctx.cfg, async (client) => {
    await requireWorker(client, ctx.cfg, ' (or ingest in this process with --direct)');
    ctx.say(`Temporal workflow ${workflowId} (run ${runId})...`);
    try {
      return (await client.workflow.execute('ingest', { taskQueue: ctx.cfg.temporal.taskQueue, workflowId, args: [{ ...input, runId }] })) as IngestResult;
    } catch (e) {
      if (!(e instanceof WorkflowFailedError)) throw e;
      const cause = e.cause;
      const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as IngestResult | undefined) : undefined;
      const error = `${cause instanceof ApplicationFailure && cause.type ? `${cause.type}: ` : ''}${cause?.message ?? e.message}`;
      return { runs: details?.runs ?? [], skipped: details?.skipped ?? [], error };
    }
  });
}
