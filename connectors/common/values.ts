// Flags and numbers as the sources write them: 1/0, true/false, Có/Không, x/empty; 1.250.000 and
// 1,250,000 (grouping) and 12,8 (decimal comma). A value of none of these forms is an error value.
import type { Parsed } from './dates.ts';
import { asText, fold, quote } from './text.ts';

const TRUE = new Set(['1', 'true', 'co', 'x', 'yes']);
const FALSE = new Set(['0', 'false', 'khong', '', 'no']);

export function parseFlag(v: unknown): Parsed<boolean> {
  if (typeof v === 'boolean') return { ok: true, value: v };
  if (typeof v === 'number') {
    if (v === 1 || v === 0) return { ok: true, value: v === 1 };
    return { ok: false, error: `not a flag ${quote(v)} (expected 1/0, true/false, Có/Không, x/empty)` };
  }
  const f = fold(asText(v));
  if (TRUE.has(f)) return { ok: true, value: true };
  if (FALSE.has(f)) return { ok: true, value: false };
  return { ok: false, error: `not a flag ${quote(v)} (expected 1/0, true/false, Có/Không, x/empty)` };
}

/**
 * DuocThanhToanTrucTuyen: 0 not online, 1 online through the national portal's payment platform,
 * 2 online through the province's own gateway (SOURCES.md: both count as online), or a flag spelling.
 */
export function parseOnlinePayment(v: unknown): Parsed<boolean> {
  if (v === 2 || (typeof v === 'string' && v.trim() === '2')) return { ok: true, value: true };
  const r = parseFlag(v);
  return r.ok ? r : { ok: false, error: `not a payment channel ${quote(v)} (expected 0 not online, 1 national payment platform, 2 the province's gateway, or a flag: true/false, Có/Không, x/empty)` };
}

const GROUPED = (sep: string) => new RegExp(`^\\d{1,3}(?:\\${sep}\\d{3})+$`);
const DOT_GROUPED = GROUPED('.');
const COMMA_GROUPED = GROUPED(',');

/**
 * A number: "1.250.000" and "1,250,000" are 1250000; "12,8" and "12.8" are 12.8. When both separators
 * appear the last one is the decimal mark. A lone separator followed by exactly three digits is read
 * as grouping when an integer is expected (amounts in VND), as a decimal mark otherwise.
 */
export function parseNumber(v: unknown, opts: { integer: boolean }): Parsed<number> {
  if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, value: v } : { ok: false, error: `not a number ${quote(v)}` };
  let t = asText(v).replace(/\s|\u00a0|đ|₫|VND|VNĐ/gi, '');
  let neg = false;
  if (t.startsWith('-')) {
    neg = true;
    t = t.slice(1);
  }
  let value: number | undefined;
  if (/^\d+$/.test(t)) value = Number(t);
  else if (DOT_GROUPED.test(t) && (opts.integer || (t.match(/\./g) ?? []).length > 1)) value = Number(t.replace(/\./g, ''));
  else if (COMMA_GROUPED.test(t) && (opts.integer || (t.match(/,/g) ?? []).length > 1)) value = Number(t.replace(/,/g, ''));
  else if (/^\d{1,3}(?:\.\d{3})*,\d+$/.test(t)) value = Number(t.replace(/\./g, '').replace(',', '.'));
  else if (/^\d{1,3}(?:,\d{3})*\.\d+$/.test(t)) value = Number(t.replace(/,/g, ''));
  else if (/^\d+[.,]\d+$/.test(t)) value = Number(t.replace(',', '.'));
  if (value === undefined || !Number.isFinite(value)) return { ok: false, error: `not a number ${quote(v)}` };
  return { ok: true, value: neg ? -value : value };
}

/** A whole non-negative amount (VND). */
export function parseAmount(v: unknown): Parsed<number> {
  const r = parseNumber(v, { integer: true });
  if (!r.ok) return r;
  if (!Number.isInteger(r.value) || r.value < 0) return { ok: false, error: `not a whole non-negative amount ${quote(v)}` };
  return r;
}
