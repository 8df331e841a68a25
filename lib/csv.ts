// The one CSV reader (RFC 4180): a byte stream split into records (a quoted field may hold line
// breaks; a BOM is dropped; CRLF or LF), a record split into fields with its separator (, ; or tab),
// a row written back, and a whole text parsed into rows with a typed result for a broken one. The
// connectors' exports (connectors/common/readers/csv.ts) and the reference-data imports
// (indicators/import.ts) both read CSV through it; what a row means stays with them.
import { ChisoError } from './errors.ts';

const QUOTE = 0x22;
const isSep = (b: number) => b === 0x2c || b === 0x3b || b === 0x09;
const isBlank = (b: number) => b === 0x20 || b === 0x0d;

/** The bytes of one record when no limit is given (the connectors pass theirs, connectors/common/limits.ts). */
export const DEFAULT_RECORD_BYTES = 16 << 20;

/** Why a CSV stream cannot be read on: a record beyond the limit, or a quote never closed (never retriable). */
export class CsvQuoteError extends ChisoError {
  override readonly name = 'CsvQuoteError';
  constructor(
    message: string,
    readonly line: number,
    /** `limit`: a record longer than the limit of one record; `quote`: a quoted field that runs on. */
    readonly kind: 'limit' | 'quote',
  ) {
    super(message, 'CSV_QUOTE', false, { line, kind });
  }
}

export function hasBom(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of some bytes, or undefined when they are not valid UTF-8 (never replaced by U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

export interface CsvRecord {
  bytes: Buffer;
  /** 1-based line the record starts on. */
  line: number;
  /** Set on the last record when the input ended inside a quoted field. */
  openQuote?: true;
}

const tooLong = (line: number, max: number) => new CsvQuoteError(`line ${line}: a record longer than ${max} bytes, the limit of one record`, line, 'limit');

/**
 * Splits a byte stream into records, chunk by chunk, keeping the quote state across chunks. A quote
 * opens a quoted field only at the start of a field (RFC 4180), so a stray inch mark (`5"`) does not
 * swallow the following lines; inside a quoted field `""` is a quote and line breaks belong to the field.
 */
class RecordSplitter {
  private carry: Buffer | undefined;
  private inQuotes = false;
  // At the start of a field (only blanks so far), and just after a closing quote (for "").
  private fieldStart = true;
  private justClosed = false;
  private line = 1;
  private nextLine = 1;
  private first = true;

  constructor(private readonly maxRecord: number) {}

  /** The records a chunk completes. */
  *push(chunk: Buffer): Generator<CsvRecord> {
    const max = this.maxRecord;
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    let i = this.carry ? this.carry.length : 0;
    if (this.first) {
      // Decide on a byte-order mark only once three bytes are there.
      if (buf.length < 3) {
        this.carry = Buffer.from(buf);
        return;
      }
      if (hasBom(buf)) buf = buf.subarray(3);
      this.first = false;
      i = 0;
    }
    // Resume the scan where the carried part ended.
    let start = 0;
    for (; i < buf.length; i++) {
      const b = buf[i] as number;
      if (this.inQuotes) {
        if (b === QUOTE) {
          this.inQuotes = false;
          this.justClosed = true;
        } else if (b === 0x0a) this.nextLine++;
        continue;
      }
      if (b === QUOTE) {
        if (this.fieldStart || this.justClosed) this.inQuotes = true;
        this.justClosed = false;
        this.fieldStart = false;
        continue;
      }
      this.justClosed = false;
      if (b === 0x0a) {
        this.nextLine++;
        const end = i > start && buf[i - 1] === 0x0d ? i - 1 : i;
        if (end - start > max) throw tooLong(this.line, max);
        yield { bytes: buf.subarray(start, end), line: this.line };
        start = i + 1;
        this.line = this.nextLine;
        this.fieldStart = true;
      } else if (isSep(b)) this.fieldStart = true;
      else if (!isBlank(b)) this.fieldStart = false;
    }
    this.carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    if (this.carry && this.carry.length > max) {
      // A quoted field that long is an unbalanced quote rather than data; a plain record that long is hostile.
      if (this.inQuotes) throw new CsvQuoteError(`line ${this.line}: a quoted field runs on for more than ${max} bytes (an unbalanced quote?)`, this.line, 'quote');
      throw tooLong(this.line, max);
    }
  }

  /** The last record, when the stream does not end with a line break. */
  end(): CsvRecord | undefined {
    const carry = this.carry;
    if (!carry || carry.length === 0) return undefined;
    const end = carry[carry.length - 1] === 0x0d ? carry.length - 1 : carry.length;
    if (end > this.maxRecord) throw tooLong(this.line, this.maxRecord);
    return { bytes: carry.subarray(0, end), line: this.line, ...(this.inQuotes ? { openQuote: true as const } : {}) };
  }
}

/** Records as byte ranges, with the 1-based line each starts on (see RecordSplitter). */
export async function* csvRecords(chunks: AsyncIterable<Buffer>, maxRecord: number = DEFAULT_RECORD_BYTES): AsyncGenerator<CsvRecord> {
  const splitter = new RecordSplitter(maxRecord);
  for await (const chunk of chunks) yield* splitter.push(chunk);
  const last = splitter.end();
  if (last) yield last;
}

/** The fields of one record with the given separator ("" inside quotes is one quote). */
export function splitCsv(text: string, sep: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === sep) {
      out.push(field);
      field = '';
    } else field += c;
    i++;
  }
  out.push(field);
  return out;
}

/** One record written back: a field holding a quote, a line break or the separator is quoted. */
export function joinCsv(fields: readonly string[], sep: string): string {
  return fields.map((f) => (/["\r\n]/.test(f) || f.includes(sep) ? `"${f.replace(/"/g, '""')}"` : f)).join(sep);
}

export interface CsvRow {
  line: number;
  cells: string[];
}

/** A whole CSV text as rows of trimmed cells (blank lines skipped), or where and why it cannot be read. */
export type CsvText = { ok: true; rows: CsvRow[] } | { ok: false; line: number; reason: string };

/** Reads a CSV text held in memory (a BOM dropped), with one separator; never throws on bad text. */
export function parseCsvText(text: string, opts: { sep?: string; maxRecordBytes?: number } = {}): CsvText {
  const sep = opts.sep ?? ',';
  const splitter = new RecordSplitter(opts.maxRecordBytes ?? DEFAULT_RECORD_BYTES);
  const rows: CsvRow[] = [];
  try {
    for (const r of [...splitter.push(Buffer.from(text, 'utf8')), splitter.end()]) {
      if (r === undefined) continue;
      if (r.openQuote) return { ok: false, line: r.line, reason: `line ${r.line}: a quoted field is never closed (an unbalanced quote?)` };
      const t = r.bytes.toString('utf8');
      if (t.trim() === '') continue;
      rows.push({ line: r.line, cells: splitCsv(t, sep).map((c) => c.trim()) });
    }
  } catch (e) {
    if (e instanceof CsvQuoteError) return { ok: false, line: e.line, reason: e.message };
    throw e;
  }
  return { ok: true, rows };
}
