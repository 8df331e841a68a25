// Streaming writers of the sample exports (NDJSON, CSV with a title block, XLSX with a title block):
// records go out as they are made, with back-pressure, so a province-year never sits in memory.
// Each writer knows the line or row of the record it wrote, for the manifest of deliberate bad rows.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import ExcelJS from 'exceljs';

export interface SampleWriter {
  readonly path: string;
  /** Records written so far. */
  readonly count: number;
  /** Writes one record; resolves to its location (1-based line, or sheet row). */
  write(record: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

class TextOut {
  private readonly out: WriteStream;
  lines = 0;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path);
  }
  async line(text: string, eol = '\n'): Promise<number> {
    this.lines++;
    if (!this.out.write(text + eol)) await once(this.out, 'drain');
    return this.lines;
  }
  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}

export function ndjsonWriter(path: string): SampleWriter {
  const out = new TextOut(path);
  let count = 0;
  return {
    path,
    get count() {
      return count;
    },
    write: async (r) => {
      count++;
      return out.line(JSON.stringify(r));
    },
    close: () => out.close(),
  };
}

function csvCell(v: unknown, sep: string): string {
  const s = v === null || v === undefined ? '' : String(v);
  return s.includes(sep) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface SheetLayout {
  /** Lines above the header row (agency, report title, "Từ ngày ... đến ngày ..."). */
  title: string[];
  /** [heading, record key] in column order. */
  columns: readonly (readonly [string, string])[];
}

/** CSV as spreadsheet programs save it: BOM, CRLF, a title block, then the header row. */
export function csvWriter(path: string, layout: SheetLayout, sep: ',' | ';' = ','): SampleWriter {
  const out = new TextOut(path);
  let count = 0;
  let started: Promise<void> | undefined;
  const start = async () => {
    for (const [i, t] of layout.title.entries()) await out.line(`${i === 0 ? '\uFEFF' : ''}${csvCell(t, sep)}`, '\r\n');
    await out.line('', '\r\n');
    await out.line(layout.columns.map(([h]) => csvCell(h, sep)).join(sep), '\r\n');
  };
  return {
    path,
    get count() {
      return count;
    },
    write: async (r) => {
      await (started ??= start());
      count++;
      return out.line(layout.columns.map(([, k]) => csvCell(r[k], sep)).join(sep), '\r\n');
    },
    close: async () => {
      await (started ??= start());
      await out.close();
    },
  };
}

/** XLSX through exceljs' streaming writer: a title block, then the header row; Date values become Excel dates. */
export function xlsxWriter(path: string, layout: SheetLayout, sheetName: string): SampleWriter {
  mkdirSync(dirname(path), { recursive: true });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  // Fixed document dates: the same seed should give the same workbook contents.
  wb.created = new Date('2025-01-01T00:00:00Z');
  wb.modified = wb.created;
  const ws = wb.addWorksheet(sheetName);
  let row = 0;
  let count = 0;
  for (const t of layout.title) {
    ws.addRow([t]).commit();
    row++;
  }
  ws.addRow([]).commit();
  ws.addRow(layout.columns.map(([h]) => h)).commit();
  row += 2;
  return {
    path,
    get count() {
      return count;
    },
    write: async (r) => {
      count++;
      row++;
      const added = ws.addRow(layout.columns.map(([, k]) => (r[k] === undefined ? null : r[k])));
      added.eachCell((cell) => {
        if (cell.value instanceof Date) cell.numFmt = 'dd/mm/yyyy hh:mm';
      });
      added.commit();
      return row;
    },
    close: async () => {
      ws.commit();
      await wb.commit();
    },
  };
}
