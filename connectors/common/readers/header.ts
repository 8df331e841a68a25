// Finding the header row of a spreadsheet export below its title block (agency, report title,
// "Tu ngay ... den ngay ..."): the first row where enough cells are headings the entity knows.
import { cachedKey, type FieldSpec } from '../fields.ts';

/** How many rows may precede the header (title block) before the file is declared unreadable. */
export const HEADER_SEARCH_ROWS = 30;

export function headingKeys(fields: readonly FieldSpec[]): Set<string> {
  const keys = new Set<string>();
  for (const f of fields) for (const n of [f.name, ...(f.aliases ?? [])]) keys.add(cachedKey(n));
  keys.add('stt');
  return keys;
}

/** How many of a row's cells are known headings. */
export function headingScore(cells: readonly string[], known: Set<string>): number {
  let n = 0;
  for (const c of cells) if (c.trim() !== '' && known.has(cachedKey(c))) n++;
  return n;
}

/** A row counts as the header when at least 3 of its cells (or all of them, if fewer) are headings. */
export function isHeader(cells: readonly string[], known: Set<string>): boolean {
  const filled = cells.filter((c) => c.trim() !== '').length;
  const score = headingScore(cells, known);
  return score >= Math.min(3, filled) && score >= 2;
}

export function headerNotFound(uri: string, fields: readonly FieldSpec[], undecodable: boolean): string {
  const examples = fields.slice(0, 4).map((f) => f.aliases?.[0] ?? f.name).join(', ');
  return `${uri}: no header row found in the first ${HEADER_SEARCH_ROWS} rows (expected headings such as ${examples})${
    undecodable ? '; some rows are not valid UTF-8: save the export as UTF-8' : ''
  }`;
}
