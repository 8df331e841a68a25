// Ingesting export files: a file or a folder (formats mixed), one run per file. The format comes
// from the extension, the entity from --entity or the file name; files already ingested are skipped
// unless forced.
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { EntityName, SourceId } from '../schemas/events.ts';
import { formatTime } from './common/dates.ts';
import { FILE_LIMITS, type FileLimits, tooLarge } from './common/limits.ts';
import { fileChunks } from './common/readers/bytes.ts';
import { UnreadableFileError, readCsv } from './common/readers/csv.ts';
import { readJson } from './common/readers/json.ts';
import { JsonSplitError } from './common/readers/json-splitter.ts';
import { readNdjson } from './common/readers/ndjson.ts';
import { readXlsx } from './common/readers/xlsx.ts';
import type { FileCheckpoints } from './checkpoints.ts';
import { acceptedEntityNames, entityFromName, MAPPERS } from './mappers.ts';
import { type IngestDeps, type Progress, runIngestion, type RunSummary } from './run.ts';
import type { RawRecord } from './types.ts';

export type FileFormat = 'ndjson' | 'json' | 'csv' | 'xlsx';

const FORMATS: Record<string, FileFormat> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.json': 'json', '.csv': 'csv', '.txt': 'csv', '.xlsx': 'xlsx' };

export function formatOf(path: string): FileFormat | undefined {
  return FORMATS[extname(path).toLowerCase()];
}

export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `run-${t}-${randomBytes(4).toString('hex')}`;
}

/**
 * The records of one file, read in its format; throws UnreadableFileError when it cannot be read at
 * all, FileLimitError (one) when it is beyond a limit of connectors/common/limits.ts.
 */
export async function* readFile(path: string, format: FileFormat, entity: EntityName, limits: FileLimits = FILE_LIMITS): AsyncGenerator<RawRecord> {
  const fields = MAPPERS[entity].fields;
  // The file's size first: nothing of a file beyond the limit is read.
  const size = (await stat(path)).size;
  const max = format === 'xlsx' ? limits.xlsxFileBytes : limits.fileBytes;
  if (size > max) throw tooLarge(path, `a ${format.toUpperCase()} file of`, size, max);
  try {
    if (format === 'ndjson') yield* readNdjson(path, fileChunks(path), limits);
    else if (format === 'json') yield* readJson(path, fileChunks(path), limits);
    else if (format === 'csv') yield* readCsv(path, fields, fileChunks(path), limits);
    else yield* readXlsx(path, fields, limits);
  } catch (e) {
    if (e instanceof JsonSplitError) throw new UnreadableFileError(`${path}: ${e.message}`);
    throw e;
  }
}

async function listFiles(path: string): Promise<string[]> {
  const s = await stat(path);
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    if (name.startsWith('.')) continue;
    const full = join(path, name);
    const st = await stat(full);
    if (st.isDirectory()) out.push(...(await listFiles(full)));
    else if (formatOf(full)) out.push(full);
  }
  return out;
}

export interface IngestPathRequest {
  source: SourceId;
  path: string;
  entity?: EntityName;
  force?: boolean;
  checkpoints: FileCheckpoints;
  /** Set when re-ingesting on purpose: the run ledger names the run it replays. */
  replayOf?: string;
  /** The run id of a file (a Temporal workflow names its runs); default: a new one per file. */
  runIdFor?(file: string): string;
  onStart?(file: string, runId: string): void;
  onProgress?(file: string, p: Progress): void;
  /** A file not ingested: already done (with the run that did it), or no entity/format recognised. */
  onSkip?(file: string, reason: string, failure: boolean): void;
}

/** Ingests a file or every export file in a folder; one run, and one summary, per file ingested. */
export async function ingestPath(deps: IngestDeps, req: IngestPathRequest): Promise<RunSummary[]> {
  const files = await listFiles(resolve(req.path));
  const out: RunSummary[] = [];
  for (const file of files) {
    const format = formatOf(file);
    if (!format) {
      req.onSkip?.(file, `unknown file type "${extname(file)}" (expected .ndjson, .jsonl, .json, .csv or .xlsx)`, true);
      continue;
    }
    const entity = req.entity ?? entityFromName(req.source, basename(file));
    if (!entity) {
      req.onSkip?.(file, `cannot tell which ${req.source} entity this file holds: pass --entity, or name the file after one of: ${acceptedEntityNames(req.source)}`, true);
      continue;
    }
    if (!req.force && !req.replayOf) {
      const by = await req.checkpoints.ingestedBy(file);
      if (by) {
        req.onSkip?.(file, `already ingested by ${by} (use --force to ingest it again)`, false);
        continue;
      }
    }
    const runId = req.runIdFor?.(file) ?? newRunId();
    req.onStart?.(file, runId);
    const mtime = (await stat(file)).mtimeMs;
    const summary = await runIngestion(
      deps,
      {
        runId,
        source: req.source,
        entity,
        origin: file,
        ...(req.replayOf ? { replayOf: req.replayOf } : {}),
        exportedAt: formatTime(mtime),
        records: readFile(file, format, entity),
      },
      req.onProgress ? (p) => req.onProgress?.(file, p) : undefined,
    );
    if (summary.status === 'succeeded') await req.checkpoints.mark(file, runId);
    out.push(summary);
  }
  return out;
}

export { UnreadableFileError };
