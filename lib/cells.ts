// Report cells are data, never code. A spreadsheet program runs a CSV cell that starts with = + - @
// (or a tab or carriage return before one) as a formula (CSV injection, the OWASP rule): such text
// is prefixed with a single quote. Numbers the report writes as numbers stay numbers (a negative
// number is a number, not a formula). XLSX cells are typed strings or numbers, never formula objects.

/** Characters that make a spreadsheet read a cell as a formula (ASCII and their fullwidth forms). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]|^[\s\u00A0\u3000]+[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/u;

/** True when a spreadsheet could take the text for a formula. */
export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/** The text as data: prefixed with a single quote when it could be read as a formula. */
export function neutraliseText(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}

export type CellValue = string | number | null | undefined;

/** One RFC 4180 CSV cell: finite numbers as written, text neutralised, then quoted when needed. */
export function csvCell(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = neutraliseText(String(v));
  return /[",\r\n;\t]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line (no line break) of data cells. */
export function csvLine(cells: readonly CellValue[], sep = ','): string {
  return cells.map(csvCell).join(sep);
}

/**
 * The value to give an exceljs cell: a finite number, a string, or null. Anything else (an object
 * that exceljs would read as a formula, rich text or a hyperlink) is turned into its text first.
 */
export function xlsxCell(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  return JSON.stringify(v) ?? String(v);
}
