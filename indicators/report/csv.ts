// The monthly report as CSV (RFC 4180, UTF-8 with a BOM so that spreadsheet programs show the
// Vietnamese text correctly); numbers keep a '.' decimal point for machines. Every text cell is data:
// one that a spreadsheet would run as a formula is neutralised (lib/cells.ts).
import { csvLine } from '../../lib/cells.ts';
import { COMPARATOR_TEXT, STATUS_VI } from '../scorecard-status.ts';
import type { MonthlyReport } from './rows.ts';

export const CSV_HEADER = ['STT', 'Mã chỉ tiêu', 'Nội dung chỉ tiêu', 'Kế hoạch', 'Điều kiện', 'Mục tiêu (%)', 'Kết quả (%)', 'So với mục tiêu (%)', 'Đánh giá'];

export function reportCsv(r: MonthlyReport): string {
  const lines = [CSV_HEADER, ...r.rows.map((x) => [x.stt, x.indicator, x.name_vi, x.plan, COMPARATOR_TEXT[x.comparator] ?? x.comparator, x.target, x.result, x.attainment, STATUS_VI[x.status]])];
  return `\uFEFF${lines.map((l) => csvLine(l)).join('\r\n')}\r\n`;
}
