// The one XLSX reader: exceljs' streaming WorkbookReader (row by row, never the whole workbook),
// sheet by sheet, under limits checked before and while the zip is inflated (a zip bomb, a huge
// shared-string table, too many rows or cells are refused with the figures). Date cells arrive as
// Dates holding the sheet's wall clock. What the rows mean (header, fields, personal data) is the
// caller's (connectors/common/readers/xlsx.ts).
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ChisoError, errorMessage } from './errors.ts';

export interface XlsxLimits {
  /** Bytes of the parts once uncompressed, all together (declared in the zip and counted while inflating). */
  xlsxUncompressedBytes: number;
  /** Parts (zip entries). */
  xlsxEntries: number;
  /** Entries of the shared-string table. */
  xlsxSharedStrings: number;
  /** Rows of one sheet. */
  xlsxRows: number;
  /** Cells of one row. */
  xlsxColumns: number;
}

/** A workbook beyond one of the limits: what, its figure, the limit and the unit (for the caller's message). */
export class XlsxLimitError extends ChisoError {
  override readonly name = 'XlsxLimitError';
  constructor(
    readonly what: string,
    readonly value: number,
    readonly limit: number,
    readonly unit = 'bytes',
  ) {
    super(`${what} ${value} ${unit} exceeds the limit of ${limit} ${unit}`, 'XLSX_LIMIT', false, { value, limit, unit });
  }
}

/** A file that is not a readable workbook (its message does not name the file). */
export class XlsxUnreadableError extends ChisoError {
  override readonly name = 'XlsxUnreadableError';
  constructor(message: string) {
    super(message, 'XLSX_UNREADABLE', false);
  }
}

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

/** A cell as trimmed text; a date as its wall clock YYYY-MM-DDTHH:mm:ss. */
export function cellText(v: unknown): string {
  const c = cellValue(v);
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? '' : c.toISOString().slice(0, 19);
  return String(c).trim();
}

/** What one workbook may take once inflated, counted as its parts are read. */
interface Budget {
  limits: XlsxLimits;
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
      if (budget.inflated > budget.limits.xlsxUncompressedBytes) throw new XlsxLimitError('the workbook inflates to more than', budget.inflated, budget.limits.xlsxUncompressedBytes);
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
  /** Set by xlsxSheets before reading. */
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
      if (budget !== undefined && n > budget.limits.xlsxSharedStrings) throw new XlsxLimitError('the shared-string table holds more than', n, budget.limits.xlsxSharedStrings, 'strings');
    };
    return base._parseSharedStrings.call(this, Readable.from(decoded(entry, budget, count)));
  };
}

/** One row that holds something: its 1-based row number and its cells (exceljs values, column A first). */
export interface XlsxRow {
  line: number;
  cells: unknown[];
}

export interface XlsxSheet {
  name?: string;
  /** The sheet's non-empty rows; leaving this loop early skips the rest of the sheet. */
  rows: AsyncGenerator<XlsxRow>;
}

/** What exceljs or the zip threw, as a typed error (the limits pass through). */
function unreadable(e: unknown): Error {
  if (e instanceof XlsxLimitError || e instanceof XlsxUnreadableError) return e;
  const text = errorMessage(e);
  // XML forbids control characters (NUL, ESC...) even escaped: Excel writes them as _xHHHH_, so a
  // workbook holding one raw was not written by a spreadsheet program and cannot be parsed past it.
  if (/disallowed character/i.test(text)) return new XlsxUnreadableError(`not a well-formed .xlsx workbook: a control character (such as NUL or ESC) that XML does not allow, at ${text.replace(/:?\s*disallowed character\.?/i, '')} of one of its XML parts`);
  return new XlsxUnreadableError(`not a readable .xlsx workbook (truncated or another format?): ${text}`);
}

async function* sheetRows(sheet: AsyncIterable<ExcelJS.Row>, name: string | undefined, limits: XlsxLimits): AsyncGenerator<XlsxRow> {
  let rows = 0;
  try {
    for await (const row of sheet) {
      if (++rows > limits.xlsxRows) throw new XlsxLimitError(`sheet ${name ?? '?'} has more rows than`, rows, limits.xlsxRows, 'rows');
      const values = (row.values as unknown[]) ?? [];
      if (values.length - 1 > limits.xlsxColumns) throw new XlsxLimitError(`row ${row.number} of sheet ${name ?? '?'} has`, values.length - 1, limits.xlsxColumns, 'cells');
      // row.values is 1-based (index 0 unused).
      const cells = values.slice(1);
      if (cells.every((c) => cellText(c) === '')) continue;
      yield { line: row.number, cells };
    }
  } catch (e) {
    throw unreadable(e);
  }
}

/**
 * The sheets of a workbook file, each with its rows read as they are needed. Throws XlsxLimitError
 * beyond a limit (the zip's directory is checked before anything is inflated) and XlsxUnreadableError
 * when the file is not a workbook.
 */
export async function* xlsxSheets(path: string, limits: XlsxLimits): AsyncGenerator<XlsxSheet> {
  // What the zip declares, before anything is inflated: a zip bomb that admits it is refused here.
  await checkZipDirectory(path, limits);
  const reader = new Utf8SafeWorkbookReader(path, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  (reader as unknown as ReaderInternals).budget = { limits, inflated: 0 };
  try {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name?: string }).name;
      yield { ...(name ? { name } : {}), rows: sheetRows(sheet as unknown as AsyncIterable<ExcelJS.Row>, name, limits) };
    }
  } catch (e) {
    throw unreadable(e);
  }
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
export async function checkZipDirectory(path: string, limits: XlsxLimits): Promise<void> {
  const notZip = () => new XlsxUnreadableError('not a readable .xlsx workbook (no zip directory: truncated or another format?)');
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
    if (entries > limits.xlsxEntries) throw new XlsxLimitError('the workbook has', entries, limits.xlsxEntries, 'parts');
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
      if (total > limits.xlsxUncompressedBytes) throw new XlsxLimitError('the workbook declares an uncompressed size of', total, limits.xlsxUncompressedBytes);
      p += 46 + nameLength + extraLength + commentLength;
    }
  } finally {
    await f.close();
  }
}
