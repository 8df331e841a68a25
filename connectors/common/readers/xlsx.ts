// Excel exports read with exceljs' streaming WorkbookReader (row by row, never the whole workbook):
// in each sheet the header row is found below the title block; date cells arrive as Dates holding
// the sheet's wall clock, and plain numbers in date columns are read as Excel serial days later.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { isPersonalField, REDACTED } from '../../pii.ts';
import type { RawRecord } from '../../types.ts';
import type { FieldSpec } from '../fields.ts';
import { FILE_LIMITS, type FileLimits, FileLimitError, tooLarge } from '../limits.ts';
import { UnreadableFileError } from './errors.ts';
import { HEADER_SEARCH_ROWS, headerNotFound, headingKeys, isHeader } from './header.ts';
import { errorMessage } from '../../../lib/errors.ts';

/** A cell's value as the mappers take it: string, number, boolean or Date; '' when empty. */
export function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('result' in o) return cellValue(o.result);
    if ('text' in o) return cellValue(o.text);
    if ('error' in o) return '';
  }
  return String(v);
}

const cellText = (v: unknown): string => {
  const c = cellValue(v);
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? '' : c.toISOString().slice(0, 19);
  return String(c).trim();
};

/** What one workbook may take once inflated (connectors/common/limits.ts), counted as its parts are read. */
interface Budget {
  path: string;
  limits: FileLimits;
  /** Uncompressed bytes of the worksheets and shared strings read so far. */
  inflated: number;
}

/**
 * Decodes UTF-8 across chunk boundaries (a character split between two chunks stays whole), counting
 * the inflated bytes against the budget; `after` runs between chunks (the shared-string count).
 */
async function* decoded(chunks: AsyncIterable<Buffer | string>, budget: Budget | undefined, after?: () => void): AsyncGenerator<string> {
  const d = new TextDecoder('utf-8');
  for await (const c of chunks) {
    if (budget !== undefined) {
      budget.inflated += c.length;
      if (budget.inflated > budget.limits.xlsxUncompressedBytes) throw tooLarge(budget.path, 'the workbook inflates to more than', budget.inflated, budget.limits.xlsxUncompressedBytes);
    }
    after?.();
    const s = typeof c === 'string' ? c : d.decode(c, { stream: true });
    if (s) yield s;
  }
  after?.();
  const tail = d.decode();
  if (tail) yield tail;
}

interface ReaderInternals {
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<unknown>;
  _parseSharedStrings(entry: AsyncIterable<Buffer>): AsyncGenerator<unknown>;
  /** Set by readXlsx before reading. */
  budget?: Budget;
  /** exceljs' cache of the shared strings (sharedStrings: 'cache'). */
  sharedStrings?: unknown[];
}

/**
 * exceljs' streaming reader decodes each zip chunk on its own, so a Vietnamese character split
 * between two chunks becomes U+FFFD (silently corrupted names and codes). Its SAX step passes strings
 * through untouched, so the worksheets and shared strings are handed to it already decoded.
 */
class Utf8SafeWorkbookReader extends ExcelJS.stream.xlsx.WorkbookReader {}
{
  const base = ExcelJS.stream.xlsx.WorkbookReader.prototype as unknown as ReaderInternals;
  const safe = Utf8SafeWorkbookReader.prototype as unknown as ReaderInternals;
  safe._parseWorksheet = function (this: ReaderInternals, iterator, sheetNo) {
    return base._parseWorksheet.call(this, decoded(iterator, this.budget), sheetNo);
  };
  safe._parseSharedStrings = function (this: ReaderInternals, entry) {
    const budget = this.budget;
    const count = () => {
      const n = this.sharedStrings?.length ?? 0;
      if (budget !== undefined && n > budget.limits.xlsxSharedStrings) throw tooLarge(budget.path, 'the shared-string table holds more than', n, budget.limits.xlsxSharedStrings, 'strings');
    };
    return base._parseSharedStrings.call(this, Readable.from(decoded(entry, budget, count)));
  };
}

export async function* readXlsx(path: string, fields: readonly FieldSpec[], limits: FileLimits = FILE_LIMITS): AsyncGenerator<RawRecord> {
  const known = headingKeys(fields);
  // What the zip declares, before anything is inflated: a zip bomb that admits it is refused here.
  await checkZipDirectory(path, limits);
  const reader = new Utf8SafeWorkbookReader(path, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  (reader as unknown as ReaderInternals).budget = { path, limits, inflated: 0 };
  let anyHeader = false;
  let anyRow = false;
  try {
    for await (const sheet of reader) {
      const sheetName = (sheet as unknown as { name?: string }).name;
      let header: string[] | undefined;
      let personal: boolean[] = [];
      let seen = 0;
      let rows = 0;
      for await (const row of sheet) {
        if (++rows > limits.xlsxRows) throw tooLarge(path, `sheet ${sheetName ?? '?'} has more rows than`, rows, limits.xlsxRows, 'rows');
        const values = (row.values as unknown[]) ?? [];
        if (values.length - 1 > limits.xlsxColumns) throw tooLarge(path, `row ${row.number} of sheet ${sheetName ?? '?'} has`, values.length - 1, limits.xlsxColumns, 'cells');
        // row.values is 1-based (index 0 unused).
        const cells = values.slice(1);
        if (cells.every((c) => cellText(c) === '')) continue;
        anyRow = true;
        if (header === undefined) {
          if (++seen > HEADER_SEARCH_ROWS) break;
          const texts = cells.map(cellText);
          if (isHeader(texts, known)) {
            header = texts;
            personal = header.map((h) => isPersonalField(h));
            anyHeader = true;
          }
          continue;
        }
        const record: Record<string, unknown> = {};
        const shown: Record<string, unknown> = {};
        header.forEach((h, i) => {
          if (h === '' || h in record) return;
          const v = cellValue(cells[i]);
          record[h] = v;
          shown[h] = personal[i] ? REDACTED : v instanceof Date ? cellText(v) : v;
        });
        yield { origin: { uri: path, line: row.number, ...(sheetName ? { sheet: sheetName } : {}) }, original: JSON.stringify(shown), fields: record };
      }
    }
  } catch (e) {
    if (e instanceof UnreadableFileError || e instanceof FileLimitError) throw e;
    const text = errorMessage(e);
    // XML forbids control characters (NUL, ESC...) even escaped: Excel writes them as _xHHHH_, so a
    // workbook holding one raw was not written by a spreadsheet program and cannot be parsed past it.
    if (/disallowed character/i.test(text)) throw new UnreadableFileError(`${path}: not a well-formed .xlsx workbook: a control character (such as NUL or ESC) that XML does not allow, at ${text.replace(/:?\s*disallowed character\.?/i, '')} of one of its XML parts`);
    throw new UnreadableFileError(`${path}: not a readable .xlsx workbook (truncated or another format?): ${errorMessage(e)}`);
  }
  if (anyRow && !anyHeader) throw new UnreadableFileError(headerNotFound(path, fields, false));
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const MAX_DIRECTORY = 64 << 20;

/**
 * The zip's central directory, read before any part is inflated: the number of parts and the sum of
 * their declared uncompressed sizes against the limits. (Sizes can lie: what is inflated is counted
 * again while it is read, see decoded().)
 */
export async function checkZipDirectory(path: string, limits: FileLimits): Promise<void> {
  const notZip = () => new UnreadableFileError(`${path}: not a readable .xlsx workbook (no zip directory: truncated or another format?)`);
  const f = await open(path, 'r');
  try {
    const size = (await f.stat()).size;
    const tailSize = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailSize);
    await f.read(tail, 0, tailSize, size - tailSize);
    let at = -1;
    for (let i = tailSize - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw notZip();
    let entries = tail.readUInt16LE(at + 10);
    let dirSize = tail.readUInt32LE(at + 12);
    let dirOffset = tail.readUInt32LE(at + 16);
    if ((entries === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) && at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_LOCATOR) {
      const record = Buffer.alloc(56);
      await f.read(record, 0, 56, Number(tail.readBigUInt64LE(at - 20 + 8)));
      if (record.readUInt32LE(0) !== ZIP64_EOCD) throw notZip();
      entries = Number(record.readBigUInt64LE(32));
      dirSize = Number(record.readBigUInt64LE(40));
      dirOffset = Number(record.readBigUInt64LE(48));
    }
    if (entries > limits.xlsxEntries) throw tooLarge(path, 'the workbook has', entries, limits.xlsxEntries, 'parts');
    if (dirSize > MAX_DIRECTORY || dirOffset + dirSize > size) throw notZip();
    const dir = Buffer.alloc(dirSize);
    await f.read(dir, 0, dirSize, dirOffset);
    let total = 0;
    for (let p = 0; p + 46 <= dir.length && dir.readUInt32LE(p) === CENTRAL; ) {
      let uncompressed = dir.readUInt32LE(p + 24);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      if (uncompressed === 0xffffffff) {
        // Zip64: the real size is the first field of the extra block 0x0001.
        const extra = dir.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
        for (let e = 0; e + 4 <= extra.length; ) {
          const id = extra.readUInt16LE(e);
          const len = extra.readUInt16LE(e + 2);
          if (id === 0x0001 && len >= 8) uncompressed = Number(extra.readBigUInt64LE(e + 4));
          e += 4 + len;
        }
      }
      total += uncompressed;
      if (total > limits.xlsxUncompressedBytes) throw tooLarge(path, 'the workbook declares an uncompressed size of', total, limits.xlsxUncompressedBytes);
      p += 46 + nameLength + extraLength + commentLength;
    }
  } finally {
    await f.close();
  }
}
