// The ingestion activity: one origin (an export file, a folder of them, or a window of a source's
// export API) read and produced to Kafka inside the worker, heartbeating its progress. A failed run
// leaves as an ApplicationFailure typed with the run's failure code, non-retriable when trying again
// cannot help (4xx answers, unreadable or deleted files), so the workflow fails with that reason.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Kafka } from 'kafkajs';
import { openIngestion } from '../../connectors/ingestion.ts';
import { loadPiiSecret, type Pseudonymiser, pseudonymiser } from '../../connectors/pii.ts';
import type { ChisoProducer } from '../../connectors/producer.ts';
import type { RunSummary } from '../../connectors/run.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { InfraError, UsageError } from '../../lib/errors.ts';
import { mapFailures, withHeartbeat } from './support.ts';
import type { ActivityDeps } from './deps.ts';
import { createReplayActivities } from './replay.ts';
import { type IngestInput, type IngestResult, isUrl } from './ingest-input.ts';


/** A producer that refuses to go on once the activity is cancelled (worker shutting down, workflow cancelled): the run stops at its next record. */
function stopOnCancel(p: ChisoProducer, signal: AbortSignal): ChisoProducer {
  const check = () => {
    if (signal.aborted) throw new InfraError('the ingestion was interrupted (the worker is shutting down or the workflow was cancelled); Temporal retries it', 'INTERRUPTED');
  };
  return {
    send: async (m) => {
      check();
      await p.send(m);
    },
    flush: async () => {
      check();
      await p.flush();
    },
    takeOffsets: () => p.takeOffsets(),
    disconnect: () => p.disconnect(),
  };
}

/** The ingestion activities and those of the replay workflow that drives them. */
export function createIngestActivities({ cfg, store, log }: ActivityDeps) {
  const ilog = log.child({ component: 'ingest-activity' });
  let kafka: Kafka | undefined;
  let pseudonymise: Pseudonymiser | undefined;

  async function ingestOrigin(input: IngestInput & { runId: string }): Promise<IngestResult> {
    const ctx = Context.current();
    kafka ??= createKafka(cfg, ilog, 'chiso-worker-ingest');
    pseudonymise ??= pseudonymiser(loadPiiSecret(cfg));
    const api = isUrl(input.origin);
    if (api && !input.entity) throw new UsageError(`an API ingestion needs an entity: ${input.origin}`);
    if (!api && !existsSync(input.origin)) {
      throw new InfraError(`${input.origin}: the export is gone (moved or deleted); put it back at that path, or ingest its new place`, 'ORIGIN_GONE', { origin: input.origin }, { retriable: false });
    }
    const ingestion = await openIngestion(cfg, ilog, { kafka, pseudonymise, wrapProducer: (p) => stopOnCancel(p, ctx.cancellationSignal) });
    const result: IngestResult = { runs: [], skipped: [] };
    try {
      await withHeartbeat(async (beat) => {
        if (api) {
          result.runs.push(
            await ingestion.ingestApi(
              {
                runId: input.runId,
                source: input.source,
                entity: input.entity!,
                baseUrl: input.origin,
                ...(input.from !== undefined ? { from: input.from } : {}),
                ...(input.to !== undefined ? { to: input.to } : {}),
                ...(input.pageSize !== undefined ? { pageSize: input.pageSize } : {}),
                ...(input.replayOf ? { replayOf: input.replayOf } : {}),
              },
              (p) => beat({ origin: input.origin, ...p }),
            ),
          );
          return;
        }
        const single = !(await stat(input.origin)).isDirectory();
        result.runs.push(
          ...(await ingestion.ingestFiles({
            source: input.source,
            path: input.origin,
            ...(input.entity ? { entity: input.entity } : {}),
            force: input.force ?? false,
            ...(input.replayOf ? { replayOf: input.replayOf } : {}),
            // The same file keeps its run id across attempts: a retried run replaces its ledger row.
            runIdFor: (file) => (single ? input.runId : `${input.runId}-${createHash('sha256').update(resolve(file)).digest('hex').slice(0, 8)}`),
            onProgress: (file, p) => beat({ file, ...p }),
            onSkip: (file, reason, failure) => result.skipped.push({ file, reason, failure }),
          })),
        );
      });
    } finally {
      await ingestion.close().catch(() => undefined);
    }
    for (const r of result.runs) ilog.info({ run_id: r.runId, status: r.status, read: r.read, accepted: r.accepted, rejected: r.rejected, error: r.error || undefined }, 'ingestion run ended');
    throwIfFailed(result);
    return result;
  }

  return { ...mapFailures({ ingestOrigin }), ...createReplayActivities({ cfg, store, log }) };
}

/** A failed run (or an origin of which nothing could be ingested) fails the activity with the run's code and the result as details. */
function throwIfFailed(result: IngestResult): void {
  const failed: RunSummary[] = result.runs.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    throw ApplicationFailure.create({
      message: failed.map((r) => `${r.runId} (${r.origin}): ${r.error}`).join('; '),
      type: failed[0]!.failure?.code ?? 'INGEST_FAILED',
      nonRetryable: failed.some((r) => r.failure?.retriable === false),
      details: [result],
    });
  }
  const refused = result.skipped.filter((s) => s.failure);
  if (result.runs.length === 0 && refused.length > 0 && refused.length === result.skipped.length) {
    throw ApplicationFailure.create({ message: refused.map((s) => `${s.file}: ${s.reason}`).join('; '), type: 'NOT_INGESTED', nonRetryable: true, details: [result] });
  }
}

export type IngestActivities = ReturnType<typeof createIngestActivities>;
