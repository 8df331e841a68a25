// One ingestion run from a source's HTTP export API: the client's records through runIngestion,
// with the checkpoint advanced only after the producer has flushed what the pages held.
import { randomUUID } from 'node:crypto';
import type { EntityName, SourceId } from '../../schemas/events.ts';
import { formatTime } from '../common/dates.ts';
import { type IngestDeps, type Progress, runIngestion, type RunSummary } from '../run.ts';
import { HttpCheckpoint, planWindows } from './checkpoint.ts';
import { readExportApi, type RetryPolicy, windowUrl } from './client.ts';

export interface ApiIngestRequest {
  runId?: string;
  source: SourceId;
  entity: EntityName;
  baseUrl: string;
  token: string;
  /** Default: the checkpoint's last finished `to` (everything on a first run). */
  from?: string;
  /** Default: now. */
  to?: string;
  /** Default 500. */
  pageSize?: number;
  checkpointDir: string;
  replayOf?: string;
  fetchTimeoutMs?: number;
  retry?: RetryPolicy;
  /** Bytes of one page at most (default FILE_LIMITS.pageBytes, connectors/common/limits.ts). */
  maxPageBytes?: number;
}

export const DEFAULT_PAGE_SIZE = 500;
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

export async function ingestFromApi(deps: IngestDeps, req: ApiIngestRequest, onProgress?: (p: Progress) => void): Promise<RunSummary> {
  const to = req.to ?? formatTime(Date.now());
  const pageSize = req.pageSize ?? DEFAULT_PAGE_SIZE;
  const checkpoint = await HttpCheckpoint.open(req.checkpointDir, req.baseUrl, req.entity);
  // The run's origin spans every window it reads (a crashed window being finished, then the new one).
  const plan = planWindows(checkpoint.state, { ...(req.from !== undefined ? { from: req.from } : {}), to, pageSize });
  const first = plan[0]?.window;
  const last = plan.at(-1)?.window;
  const origin = windowUrl(req.baseUrl, req.entity, { ...(first?.from !== undefined ? { from: first.from } : {}), to: last?.to ?? to });
  const records = readExportApi({
    baseUrl: req.baseUrl,
    entity: req.entity,
    token: req.token,
    ...(req.from !== undefined ? { from: req.from } : {}),
    to,
    pageSize,
    checkpoint,
    log: deps.log,
    fetchTimeoutMs: req.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    ...(req.retry ? { retry: req.retry } : {}),
    ...(req.maxPageBytes !== undefined ? { maxPageBytes: req.maxPageBytes } : {}),
    beforeCheckpoint: () => deps.producer.flush(),
  });
  return runIngestion(
    deps,
    { runId: req.runId ?? randomUUID(), source: req.source, entity: req.entity, origin, ...(req.replayOf ? { replayOf: req.replayOf } : {}), records },
    onProgress,
  );
}
