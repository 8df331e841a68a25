// One ingestion run: raw records in, canonical events and rejects out to Kafka, the run ledger
// (chiso.runs.v1) written at the start and at the end. read = accepted + rejected, always; the
// ledger's rows and statuses are connectors/ledger.ts's rule.
import type { EntityName, RejectMessage, SourceId } from '../schemas/events.ts';
import { cut, MAX_LENGTH } from '../schemas/limits.ts';
import { topics as topicNames } from '../schemas/topics.ts';
import { ChisoError, errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { formatTimeMs } from './common/dates.ts';
import { endOfReading, failedBy, finalRow, finishMs, type RunEnd, type RunFailure, runningRow, unrecorded } from './ledger.ts';
import { MAPPERS } from './mappers.ts';
import { runCounters } from './metrics.ts';
import type { Pseudonymiser } from './pii.ts';
import { redactOriginal, redactReason } from './redact.ts';
import type { ChisoProducer } from './producer.ts';
import type { FieldWarning } from './common/near-miss.ts';
import type { MapResult, RawRecord } from './types.ts';

export interface IngestDeps {
  producer: ChisoProducer;
  log: Logger;
  /** Keyed hashes with the PII secret: of applicant ids, and of the bytes of a reject that cannot be redacted. */
  pseudonymise: Pseudonymiser;
  /** KAFKA_TOPIC_PREFIX (cfg.kafka.topicPrefix); '' when unset. */
  topicPrefix?: string;
}

export interface IngestRequest {
  runId: string;
  source: SourceId;
  entity: EntityName;
  /** A file path, or URL + window. */
  origin: string;
  replayOf?: string;
  records: AsyncIterable<RawRecord>;
  /** The export time (file mtime, API call time) for records without NgayCapNhat; default now. */
  exportedAt?: string;
}

export interface RunSummary {
  runId: string;
  source: SourceId;
  entity: EntityName;
  origin: string;
  status: 'succeeded' | 'failed';
  read: number;
  accepted: number;
  rejected: number;
  error: string;
  /** Exported fields that look like a known field without being one (never read, never silent). */
  warnings: RunWarning[];
  /** Set on a failed run: what failed, and whether trying the same run again can help (Temporal's retry policy reads it). */
  failure?: RunFailure;
  producedOffsets: Record<string, string>;
  startedAt: string;
  finishedAt: string;
}

export interface RunWarning extends FieldWarning {
  /** How many records carried the field. */
  records: number;
}

export type { RunFailure } from './ledger.ts';

/**
 * The failure vocabulary of a run: chiso errors keep their code and retriable (a file that cannot be
 * read, UnreadableFileError or FileLimitError, will not become readable by retrying).
 */
export function failureOf(e: unknown): RunFailure {
  if (e instanceof ChisoError) return { code: e.code, retriable: e.retriable };
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  if (errno === 'ENOENT' || errno === 'EACCES' || errno === 'EISDIR') return { code: 'UNREADABLE_FILE', retriable: false };
  return { code: e instanceof Error ? e.name : 'Error', retriable: true };
}

export type Progress = { read: number; accepted: number; rejected: number };

const PROGRESS_EVERY = 1000;

/** Milliseconds kept: the `running` and final ledger rows of a short run must not share an updated_at. */
export function nowIso(): string {
  return formatTimeMs(Date.now());
}

export async function runIngestion(deps: IngestDeps, req: IngestRequest, onProgress?: (p: Progress) => void): Promise<RunSummary> {
  const log = deps.log.child({ component: 'ingest', run_id: req.runId, source: req.source, entity: req.entity });
  const t = topicNames(deps.topicPrefix ?? '');
  const mapper = MAPPERS[req.entity];
  const startMs = Date.now();
  const startedAt = formatTimeMs(startMs);
  const exportedAt = req.exportedAt ?? startedAt;
  const counts = { read: 0, accepted: 0, rejected: 0 };
  const counters = runCounters(req.source, req.entity);
  let undecodable = 0;
  const warnings = new Map<string, RunWarning>();
  const note = (r: MapResult) => {
    for (const w of r.warnings ?? []) {
      const seen = warnings.get(w.field);
      if (seen) seen.records++;
      else warnings.set(w.field, { ...w, records: 1 });
    }
  };

  const reject = (raw: RawRecord, field: string, reason: string) => {
    const { original, encoding } = redactOriginal(raw, deps.pseudonymise.bytes);
    const msg: RejectMessage = {
      run_id: req.runId,
      source: req.source,
      entity: req.entity,
      origin: raw.origin,
      field: cut(field, MAX_LENGTH.name),
      reason: cut(redactReason(reason), MAX_LENGTH.reason),
      // A hostile record can be megabytes long: the reject keeps its beginning (base64 is cut whole
      // characters of 4, so that what is kept still decodes).
      original: encoding === 'base64' ? cutBase64(original, MAX_LENGTH.original) : cut(original, MAX_LENGTH.original),
      original_encoding: encoding,
      rejected_at: nowIso(),
    };
    counts.rejected++;
    return deps.producer.send({ topic: t.rejects, key: req.runId, value: JSON.stringify(msg) });
  };

  let end: RunEnd;
  try {
    await deps.producer.send({ topic: t.runs, key: req.runId, value: JSON.stringify(runningRow(req, startedAt)) });
    for await (const raw of req.records) {
      counts.read++;
      const fields = raw.fields;
      if ('parseError' in fields && typeof fields.parseError === 'string') {
        if (raw.originalEncoding === 'base64') undecodable++;
        await reject(raw, '', fields.parseError);
      } else {
        const r = mapper.map({
          fields: fields as Record<string, unknown>,
          origin: raw.origin,
          runId: req.runId,
          exportedAt: raw.exportedAt ?? exportedAt,
          pseudonymise: deps.pseudonymise,
        });
        if (r.warnings !== undefined) note(r);
        if (r.kind === 'ok') {
          counts.accepted++;
          await deps.producer.send({ topic: t.source(req.source), key: r.event.record_id, value: JSON.stringify(r.event) });
        } else {
          await reject(raw, r.field, r.reason);
        }
      }
      if (counts.read % PROGRESS_EVERY === 0) {
        counters.add(counts);
        onProgress?.({ ...counts });
      }
    }
    await deps.producer.flush();
    end = endOfReading(req.origin, counts, undecodable);
  } catch (e) {
    end = failedBy(errorMessage(e), failureOf(e));
    // The summary and the ledger carry the reason; the log keeps a line for operators.
    log.warn({ error: end.error }, 'ingestion run failed');
  }
  const producedOffsets = deps.producer.takeOffsets();
  const finishedAt = formatTimeMs(finishMs(startMs, Date.now()));
  try {
    await deps.producer.send({ topic: t.runs, key: req.runId, value: JSON.stringify(finalRow(req, startedAt, end, counts, finishedAt, producedOffsets)) });
    await deps.producer.flush();
  } catch (e) {
    end = unrecorded(end, errorMessage(e), failureOf(e));
  }
  const { status, error, failure } = end;
  counters.add(counts);
  counters.finished(status);
  onProgress?.({ ...counts });
  for (const w of warnings.values()) log.warn({ field: w.field, looks_like: w.looksLike, records: w.records }, 'an exported field looks like a known one but is not read');
  return { runId: req.runId, source: req.source, entity: req.entity, origin: req.origin, status, ...counts, error, warnings: [...warnings.values()], ...(failure ? { failure } : {}), producedOffsets, startedAt, finishedAt };
}

function cutBase64(b64: string, max: number): string {
  return b64.length <= max ? b64 : b64.slice(0, max - (max % 4));
}
