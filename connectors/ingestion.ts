// How an ingestion is wired from a source to Kafka, in one place: the topics prepared, one producer,
// the pseudonymiser keyed with the PII secret, the file and API checkpoints under the data dir; then
// files, folders, an export API window or any records go through runIngestion; close() disconnects.
// The CLI (`chiso ingest --direct`, `chiso start`), the worker's ingestion activity and the bench
// all open their ingestions here.
import type { Kafka } from 'kafkajs';
import type { Config } from '../schemas/config.ts';
import { UsageError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { checkpointDir, FileCheckpoints } from './checkpoints.ts';
import { ingestPath, type IngestPathRequest } from './files.ts';
import { type ApiIngestRequest, ingestFromApi } from './http/ingest-api.ts';
import { loadPiiSecret, type Pseudonymiser, pseudonymiser } from './pii.ts';
import { ensureTopics } from '../infra/kafka/client.ts';
import { type ChisoProducer, createChisoProducer } from './producer.ts';
import { type IngestDeps, type IngestRequest, type Progress, runIngestion, type RunSummary } from './run.ts';

export interface IngestionOptions {
  /** The Kafka client (the caller keeps it, e.g. to wait for the sink afterwards). */
  kafka: Kafka;
  /** Default: keyed with the PII secret of cfg (loadPiiSecret). */
  pseudonymise?: Pseudonymiser;
  /** Wraps the producer the runs send through (the worker's stops at a cancelled activity). */
  wrapProducer?(producer: ChisoProducer): ChisoProducer;
}

export interface Ingestion {
  /** What runIngestion is given: the (wrapped) producer, the logger, the pseudonymiser, the topic prefix. */
  readonly deps: IngestDeps;
  /** A file or every export file of a folder, one run per file; the file checkpoints are the data dir's. */
  ingestFiles(req: Omit<IngestPathRequest, 'checkpoints'>): Promise<RunSummary[]>;
  /** One run over a window of a source's export API; its checkpoint is the data dir's, its token apiToken()'s unless given. */
  ingestApi(req: Omit<ApiIngestRequest, 'checkpointDir' | 'token'> & { token?: string }, onProgress?: (p: Progress) => void): Promise<RunSummary>;
  /** One run over records read elsewhere. */
  run(req: IngestRequest, onProgress?: (p: Progress) => void): Promise<RunSummary>;
  /** Disconnects the producer (after flushing what it holds). */
  close(): Promise<void>;
}

/** Prepares the topics and connects a producer: the ingestion is ready to run. */
export async function openIngestion(cfg: Config, log: Logger, opts: IngestionOptions): Promise<Ingestion> {
  // The secret first: a deployment without one fails before anything is connected.
  const pseudonymise = opts.pseudonymise ?? pseudonymiser(loadPiiSecret(cfg));
  await ensureTopics(opts.kafka, cfg.kafka.topicPrefix);
  const producer = await createChisoProducer(opts.kafka, log);
  const deps: IngestDeps = { producer: opts.wrapProducer ? opts.wrapProducer(producer) : producer, log, pseudonymise, topicPrefix: cfg.kafka.topicPrefix };
  const dir = checkpointDir(cfg);
  return {
    deps,
    ingestFiles: (req) => ingestPath(deps, { ...req, checkpoints: new FileCheckpoints(dir) }),
    ingestApi: (req, onProgress) => ingestFromApi(deps, { ...req, token: req.token ?? apiToken(cfg, req.baseUrl), checkpointDir: dir }, onProgress),
    run: (req, onProgress) => runIngestion(deps, req, onProgress),
    close: () => producer.disconnect(),
  };
}

/** The bearer token of an export API: the configured pulled source's own (CHISO_SOURCES), else CHISO_SOURCE_API_TOKEN. */
export function apiToken(cfg: Config, baseUrl: string): string {
  const own = cfg.sources.find((s) => 'url' in s && s.url.replace(/\/+$/, '') === baseUrl.replace(/\/+$/, ''));
  const token = (own && 'url' in own ? own.token : undefined) ?? cfg.sourceApiToken;
  if (!token) throw new UsageError(`CHISO_SOURCE_API_TOKEN: expected the bearer token of the source export API at ${baseUrl} (or tokenEnv for it in CHISO_SOURCES)`);
  return token;
}
