// The monthly report as an XLSX workbook (exceljs): a title, the unit and month, then the appendix
// table of seed 003 with numbers stored as numbers (percent formats), ready to print in landscape.
// Every cell is a typed string or number (lib/cells.ts): a plan text "=HYPERLINK(...)" is
// text in the reader's spreadsheet, never a formula.
import ExcelJS from 'exceljs';
import { xlsxCell } from '../../lib/cells.ts';
import { COMPARATOR_TEXT, STATUS_VI } from '../scorecard-status.ts';
import type { MonthlyReport } from './rows.ts';

const COLUMNS = [
  { header: 'STT', width: 6 },
  { header: 'Nội dung chỉ tiêu', width: 60 },
  { header: 'Kế hoạch', width: 12 },
  { header: 'Mục tiêu', width: 12 },
  { header: 'Kết quả', width: 12 },
  { header: 'So với mục tiêu', width: 16 },
  { header: 'Đánh giá', width: 18 },
];
export const XLSX_HEADER_ROW = 4;

export async function reportXlsx(r: MonthlyReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'chiso';
  wb.created = new Date(r.generatedAt);
  const [y, m] = r.month.split('-');
  const ws = wb.addWorksheet(`Tháng ${m}-${y}`, { pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = COLUMNS.map((c) => ({ width: c.width }));
  ws.mergeCells(1, 1, 1, COLUMNS.length);
  ws.getCell(1, 1).value = 'PHỤ LỤC: KẾT QUẢ THỰC HIỆN CHỈ TIÊU CHUYỂN ĐỔI SỐ';
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(1, 1).alignment = { horizontal: 'center' };
  ws.mergeCells(2, 1, 2, COLUMNS.length);
  ws.getCell(2, 1).value = xlsxCell(`Đơn vị: ${r.unit.name} (${r.unit.code}) · Tháng ${m}/${y}`);
  ws.getCell(2, 1).alignment = { horizontal: 'center' };
  const header = ws.getRow(XLSX_HEADER_ROW);
  header.values = COLUMNS.map((c) => c.header);
  header.font = { bold: true };
  header.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  header.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
  });
  r.rows.forEach((x, i) => {
    const row = ws.getRow(XLSX_HEADER_ROW + 1 + i);
    row.values = [x.stt, x.name_vi, x.plan, x.target, x.result, x.attainment, STATUS_VI[x.status]].map(xlsxCell);
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
    // The comparator is part of the target's display; the cell stays a number.
    const cmp = COMPARATOR_TEXT[x.comparator] ?? x.comparator;
    row.getCell(4).numFmt = `"${cmp} "0.0"%"`;
    row.getCell(5).numFmt = '0.0"%"';
    row.getCell(6).numFmt = '0.0"%"';
    row.getCell(7).font = { bold: true, color: { argb: x.status === 'met' ? 'FF1B7F3B' : x.status === 'not_met' ? 'FFB3261E' : 'FF666666' } };
  });
  for (let i = XLSX_HEADER_ROW; i <= XLSX_HEADER_ROW + r.rows.length; i++) {
    ws.getRow(i).eachCell({ includeEmpty: true }, (c) => {
      c.border = { top: { style: 'thin' }, bottom: { style: 'thin' }, left: { style: 'thin' }, right: { style: 'thin' } };
    });
  }
  ws.getCell(XLSX_HEADER_ROW + r.rows.length + 2, 1).value = `Số liệu do chiso tính từ hệ thống nguồn, lập lúc ${r.generatedAt}.`;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
