// RFC 4180 pieces for the CSV reader: splitting a byte stream into records (a quoted field may hold
// line breaks), splitting a record into fields, and writing a row back (for redacted originals).
import { FILE_LIMITS } from '../limits.ts';
import { hasBom } from './bytes.ts';
import { ChisoError } from '../../../lib/errors.ts';

const QUOTE = 0x22;
const isSep = (b: number) => b === 0x2c || b === 0x3b || b === 0x09;
const isBlank = (b: number) => b === 0x20 || b === 0x0d;

/** A record that cannot be delimited (an unbalanced quote, a line past the limit; files.ts makes it an UnreadableFileError). */
export class CsvQuoteError extends ChisoError {
  override readonly name = 'CsvQuoteError';
  constructor(message: string) {
    super(message, 'CSV_QUOTE', false);
  }
}

/**
 * Records as byte ranges, with the 1-based line each starts on. A quote opens a quoted field only at
 * the start of a field (RFC 4180), so a stray inch mark (`5"`) does not swallow the following lines;
 * inside a quoted field `""` is a quote and line breaks belong to the field.
 */
export async function* csvRecords(chunks: AsyncIterable<Buffer>, maxRecord: number = FILE_LIMITS.recordBytes): AsyncGenerator<{ bytes: Buffer; line: number }> {
  let carry: Buffer | undefined;
  let inQuotes = false;
  // At the start of a field (only blanks so far), and just after a closing quote (for "").
  let fieldStart = true;
  let justClosed = false;
  let line = 1;
  let nextLine = 1;
  let first = true;
  for await (const chunk of chunks) {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let i = carry ? carry.length : 0;
    if (first) {
      // Decide on a byte-order mark only once three bytes are there.
      if (buf.length < 3) {
        carry = Buffer.from(buf);
        continue;
      }
      if (hasBom(buf)) buf = buf.subarray(3);
      first = false;
      i = 0;
    }
    // Resume the scan where the carried part ended (the quote state is kept across chunks).
    let start = 0;
    for (; i < buf.length; i++) {
      const b = buf[i] as number;
      if (inQuotes) {
        if (b === QUOTE) {
          inQuotes = false;
          justClosed = true;
        } else if (b === 0x0a) nextLine++;
        continue;
      }
      if (b === QUOTE) {
        if (fieldStart || justClosed) inQuotes = true;
        justClosed = false;
        fieldStart = false;
        continue;
      }
      justClosed = false;
      if (b === 0x0a) {
        nextLine++;
        const end = i > start && buf[i - 1] === 0x0d ? i - 1 : i;
        if (end - start > maxRecord) throw new CsvQuoteError(`line ${line}: a record longer than ${maxRecord} bytes, the limit of one record (connectors/common/limits.ts)`);
        yield { bytes: buf.subarray(start, end), line };
        start = i + 1;
        line = nextLine;
        fieldStart = true;
      } else if (isSep(b)) fieldStart = true;
      else if (!isBlank(b)) fieldStart = false;
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    if (carry && carry.length > maxRecord) {
      // A quoted field that long is an unbalanced quote rather than data; a plain record that long is hostile.
      if (inQuotes) throw new CsvQuoteError(`line ${line}: a quoted field runs on for more than ${maxRecord} bytes (an unbalanced quote?)`);
      throw new CsvQuoteError(`line ${line}: a record longer than ${maxRecord} bytes, the limit of one record (connectors/common/limits.ts)`);
    }
  }
  if (carry && carry.length > 0) {
    const end = carry[carry.length - 1] === 0x0d ? carry.length - 1 : carry.length;
    if (end > maxRecord) throw new CsvQuoteError(`line ${line}: a record longer than ${maxRecord} bytes, the limit of one record (connectors/common/limits.ts)`);
    yield { bytes: carry.subarray(0, end), line };
  }
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

export function joinCsv(fields: readonly string[], sep: string): string {
  return fields.map((f) => (/["\r\n]/.test(f) || f.includes(sep) ? `"${f.replace(/"/g, '""')}"` : f)).join(sep);
}
