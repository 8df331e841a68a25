// Dates and times as the sources write them (SOURCES.md): yyyyMMddHHmmss, dd/MM/yyyy[ HH:mm[:ss]],
// ISO 8601 and Excel serial days. Without an offset a time is Asia/Ho_Chi_Minh (UTC+7, no DST);
// results are ISO strings with +07:00 (times) or YYYY-MM-DD (days). Bad input is a value, not a throw.
import { asText, quote } from './text.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const HCM_OFFSET_MS = 7 * 3600_000;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

/** UTC milliseconds of a wall-clock reading, or undefined when a component is out of range (31/02). */
function wallToUtc(w: Wall, offsetMs: number): number | undefined {
  if (w.mo < 1 || w.mo > 12 || w.d < 1 || w.h > 23 || w.mi > 59 || w.s > 59 || w.y < 1900 || w.y > 2200) return undefined;
  const t = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s, w.ms);
  const back = new Date(t);
  if (back.getUTCDate() !== w.d || back.getUTCMonth() !== w.mo - 1) return undefined;
  return t - offsetMs;
}

const n = (s: string | undefined) => (s === undefined || s === '' ? 0 : Number(s));

const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/;
const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const SERIAL = /^\d{1,6}(?:\.\d+)?$/;

function offsetOf(z: string | undefined): number {
  if (!z) return HCM_OFFSET_MS;
  if (z.toUpperCase() === 'Z') return 0;
  const sign = z.startsWith('-') ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3600_000 + Number(digits.slice(2, 4) || '0') * 60_000);
}

function fromSerial(serial: number): number | undefined {
  // Excel serial days count from 1899-12-30 (which absorbs Lotus' 1900 leap-year bug for later dates).
  if (!(serial >= 1 && serial < 150_000)) return undefined;
  const wall = EXCEL_EPOCH_MS + Math.round(serial * 86_400) * 1000;
  return wall - HCM_OFFSET_MS;
}

/** The instant (UTC ms) a source value denotes, or undefined when it is none of the accepted forms. */
export function toInstant(v: unknown): number | undefined {
  // exceljs hands out date cells as Dates whose UTC fields are the sheet's wall clock.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime() - HCM_OFFSET_MS;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && (v >= 1e13 || (v >= 1e7 && v < 1e8))) return toInstant(String(v));
    return fromSerial(v);
  }
  const t = asText(v);
  let m = COMPACT.exec(t);
  if (m) return wallToUtc({ y: n(m[1]), mo: n(m[2]), d: n(m[3]), h: n(m[4]), mi: n(m[5]), s: n(m[6]), ms: 0 }, HCM_OFFSET_MS);
  m = DMY.exec(t);
  if (m) return wallToUtc({ y: n(m[3]), mo: n(m[2]), d: n(m[1]), h: n(m[4]), mi: n(m[5]), s: n(m[6]), ms: 0 }, HCM_OFFSET_MS);
  m = ISO.exec(t);
  if (m) {
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    return wallToUtc({ y: n(m[1]), mo: n(m[2]), d: n(m[3]), h: n(m[4]), mi: n(m[5]), s: n(m[6]), ms }, offsetOf(m[8]));
  }
  if (SERIAL.test(t)) return fromSerial(Number(t));
  return undefined;
}

/** ISO 8601 with +07:00 for an instant. */
export function formatTime(utcMs: number): string {
  return `${new Date(utcMs + HCM_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

/** ISO 8601 with milliseconds and +07:00: for ledger times, where two states of a run may share a second. */
export function formatTimeMs(utcMs: number): string {
  return `${new Date(utcMs + HCM_OFFSET_MS).toISOString().slice(0, 23)}+07:00`;
}

/** The Asia/Ho_Chi_Minh calendar day of an instant. */
export function formatDay(utcMs: number): string {
  return new Date(utcMs + HCM_OFFSET_MS).toISOString().slice(0, 10);
}

export function parseTime(v: unknown): Parsed<string> {
  const t = toInstant(v);
  return t === undefined ? { ok: false, error: `unparseable date ${quote(v)}` } : { ok: true, value: formatTime(t) };
}

export function parseDay(v: unknown): Parsed<string> {
  const t = toInstant(v);
  return t === undefined ? { ok: false, error: `unparseable date ${quote(v)}` } : { ok: true, value: formatDay(t) };
}
