// Excel exports read with exceljs' streaming WorkbookReader (row by row, never the whole workbook):
// in each sheet the header row is found below the title block; date cells arrive as Dates holding
// the sheet's wall clock, and plain numbers in date columns are read as Excel serial days later.
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { isPersonalField, REDACTED } from '../../pii.ts';
import type { RawRecord } from '../../types.ts';
import type { FieldSpec } from '../fields.ts';
import { UnreadableFileError } from './csv.ts';
import { HEADER_SEARCH_ROWS, headerNotFound, headingKeys, isHeader } from './header.ts';

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

/** Decodes UTF-8 across chunk boundaries (a character split between two chunks stays whole). */
async function* decoded(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const d = new TextDecoder('utf-8');
  for await (const c of chunks) {
    const s = typeof c === 'string' ? c : d.decode(c, { stream: true });
    if (s) yield s;
  }
  const tail = d.decode();
  if (tail) yield tail;
}

interface ReaderInternals {
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<unknown>;
  _parseSharedStrings(entry: AsyncIterable<Buffer>): AsyncGenerator<unknown>;
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
    return base._parseWorksheet.call(this, decoded(iterator), sheetNo);
  };
  safe._parseSharedStrings = function (this: ReaderInternals, entry) {
    return base._parseSharedStrings.call(this, Readable.from(decoded(entry)));
  };
}

export async function* readXlsx(path: string, fields: readonly FieldSpec[]): AsyncGenerator<RawRecord> {
  const known = headingKeys(fields);
  const reader = new Utf8SafeWorkbookReader(path, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  let anyHeader = false;
  let anyRow = false;
  try {
    for await (const sheet of reader) {
      const sheetName = (sheet as unknown as { name?: string }).name;
      let header: string[] | undefined;
      let personal: boolean[] = [];
      let seen = 0;
      for await (const row of sheet) {
        const values = (row.values as unknown[]) ?? [];
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
    if (e instanceof UnreadableFileError) throw e;
    throw new UnreadableFileError(`${path}: not a readable .xlsx workbook (truncated or another format?): ${e instanceof Error ? e.message : String(e)}`);
  }
  if (anyRow && !anyHeader) throw new UnreadableFileError(headerNotFound(path, fields, false));
}
