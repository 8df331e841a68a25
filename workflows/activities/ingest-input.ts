// What an ingestion is asked to read and what it answers: shared by the ingest and replay activities
// and the workflows that start them.
import type { RunSummary } from '../../connectors/run.ts';
import type { EntityName, SourceId } from '../../schemas/events.ts';

export interface IngestInput {
  source: SourceId;
  entity?: EntityName;
  /** An export file, a folder of export files (absolute paths, as the worker sees them), or the base URL of an export API. */
  origin: string;
  /** API only: the update-time window [from, to); default from the checkpoint to now. */
  from?: string;
  to?: string;
  pageSize?: number;
  /** The run this one replays (ingest_runs.replay_of); files are read again past their checkpoints. */
  replayOf?: string;
  /** Read files again even when their checkpoint says they were ingested. */
  force?: boolean;
  /** The run id (one file, one API window); a folder's files get `${runId}-<hash of the path>`. Default: the workflow id. */
  runId?: string;
  /** Attempts of the ingestion activity (default 3): a source down for longer fails the run. */
  attempts?: number;
}

export interface IngestResult {
  runs: RunSummary[];
  skipped: { file: string; reason: string; failure: boolean }[];
}

/** True when the origin is the base URL of an export API (else a file or folder). */
export const isUrl = (origin: string) => /^https?:\/\//i.test(origin);
