// Excel exports, read by lib/xlsx.ts (streaming, under the limits): in each sheet the header row is
// found below the title block; date cells arrive as Dates holding the sheet's wall clock, and plain
// numbers in date columns are read as Excel serial days later.
import { cellText, cellValue, XlsxLimitError, xlsxSheets, XlsxUnreadableError } from '../../../lib/xlsx.ts';
import { isPersonalField, REDACTED } from '../../pii.ts';
import type { RawRecord } from '../../types.ts';
import type { FieldSpec } from '../fields.ts';
import { FILE_LIMITS, type FileLimits, tooLarge } from '../limits.ts';
import { UnreadableFileError } from './errors.ts';
import { HEADER_SEARCH_ROWS, headerNotFound, headingKeys, isHeader } from './header.ts';

export async function* readXlsx(path: string, fields: readonly FieldSpec[], limits: FileLimits = FILE_LIMITS): AsyncGenerator<RawRecord> {
  const known = headingKeys(fields);
  let anyHeader = false;
  let anyRow = false;
  try {
    for await (const sheet of xlsxSheets(path, limits)) {
      const sheetName = sheet.name;
      let header: string[] | undefined;
      let personal: boolean[] = [];
      let seen = 0;
      for await (const { line, cells } of sheet.rows) {
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
        yield { origin: { uri: path, line, ...(sheetName ? { sheet: sheetName } : {}) }, original: JSON.stringify(shown), fields: record };
      }
    }
  } catch (e) {
    if (e instanceof XlsxLimitError) throw tooLarge(path, e.what, e.value, e.limit, e.unit);
    if (e instanceof XlsxUnreadableError) throw new UnreadableFileError(`${path}: ${e.message}`);
    throw e;
  }
  if (anyRow && !anyHeader) throw new UnreadableFileError(headerNotFound(path, fields, false));
}
