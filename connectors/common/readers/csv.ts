// CSV exports: separator (, ; or tab) and header row detected from the rows below the title block;
// BOM, CRLF/LF and RFC 4180 quotes are lib/csv.ts'. Each data row becomes a record keyed by its
// headings; its original text is the row with personal columns redacted (rejects carry it).
import { isPersonalField, REDACTED } from '../../pii.ts';
import type { RawRecord } from '../../types.ts';
import type { FieldSpec } from '../fields.ts';
import { CsvQuoteError, csvRecords, decodeUtf8, joinCsv, splitCsv } from '../../../lib/csv.ts';
import { fileChunks, NOT_UTF8 } from './bytes.ts';
import { FILE_LIMITS, type FileLimits } from '../limits.ts';
import { UnreadableFileError } from './errors.ts';
import { HEADER_SEARCH_ROWS, headerNotFound, headingKeys, headingScore, isHeader } from './header.ts';

export { UnreadableFileError };

const SEPARATORS = [',', ';', '\t'] as const;

export async function* readCsv(path: string, fields: readonly FieldSpec[], chunks: AsyncIterable<Buffer> = fileChunks(path), limits: FileLimits = FILE_LIMITS): AsyncGenerator<RawRecord> {
  try {
    yield* records(path, fields, chunks, limits);
  } catch (e) {
    // A record beyond the limit or a quote that runs on: the whole file is unreadable.
    if (e instanceof CsvQuoteError) throw new UnreadableFileError(`${path}: ${e.message}${e.kind === 'limit' ? ' (connectors/common/limits.ts)' : ''}`);
    throw e;
  }
}

async function* records(path: string, fields: readonly FieldSpec[], chunks: AsyncIterable<Buffer>, limits: FileLimits): AsyncGenerator<RawRecord> {
  const known = headingKeys(fields);
  let header: string[] | undefined;
  let personal: boolean[] = [];
  let sep = ',';
  let seen = 0;
  let undecodable = false;
  let nonEmpty = false;
  for await (const { bytes, line } of csvRecords(chunks, limits.recordBytes)) {
    const origin = { uri: path, line };
    const text = decodeUtf8(bytes);
    if (header === undefined) {
      if (text === undefined) undecodable = true;
      if (text === undefined || text.trim() === '') continue;
      nonEmpty = true;
      if (++seen > HEADER_SEARCH_ROWS) throw new UnreadableFileError(headerNotFound(path, fields, undecodable));
      let best: { cells: string[]; sep: string; score: number } | undefined;
      for (const s of SEPARATORS) {
        const cells = splitCsv(text, s).map((c) => c.trim());
        const score = headingScore(cells, known);
        if (isHeader(cells, known) && (!best || score > best.score)) best = { cells, sep: s, score };
      }
      if (best) {
        header = best.cells;
        sep = best.sep;
        personal = header.map((h) => isPersonalField(h));
      }
      continue;
    }
    if (text === undefined) {
      // Redact on the byte-preserving latin1 view: the separator and quotes are ASCII.
      const cells = splitCsv(bytes.toString('latin1'), sep).map((c, i) => (personal[i] ? REDACTED : c));
      yield { origin, original: Buffer.from(joinCsv(cells, sep), 'latin1').toString('base64'), originalEncoding: 'base64', fields: { parseError: NOT_UTF8 } };
      continue;
    }
    const cells = splitCsv(text, sep);
    if (cells.every((c) => c.trim() === '')) continue;
    const record: Record<string, unknown> = {};
    header.forEach((h, i) => {
      if (h !== '' && !(h in record)) record[h] = cells[i] ?? '';
    });
    const original = personal.some(Boolean) ? joinCsv(cells.map((c, i) => (personal[i] ? REDACTED : c)), sep) : text;
    yield { origin, original, fields: record };
  }
  if (header === undefined && nonEmpty) throw new UnreadableFileError(headerNotFound(path, fields, undecodable));
  if (header === undefined && undecodable) throw new UnreadableFileError(`${path}: not valid UTF-8 text: save the export as UTF-8`);
}
