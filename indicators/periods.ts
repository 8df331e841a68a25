// Calendar arithmetic on 'YYYY-MM-DD' days (Asia/Ho_Chi_Minh calendar days, so plain dates in UTC
// arithmetic): the periods a day belongs to, day ranges, and chunking. Pure: workflow code uses it.

export type PeriodKind = 'day' | 'month' | 'quarter' | 'year';

/** One period to compute: its kind, first day and last day (inclusive). */
export interface Period {
  period: PeriodKind;
  start: string;
  end: string;
}

/** True for a real calendar day written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && fmt(Date.parse(`${s}T00:00:00Z`)) === s;
}

const HCM_OFFSET_MS = 7 * 3_600_000; // Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving time

/** Today in Asia/Ho_Chi_Minh (YYYY-MM-DD), by the clock `now` (ms since the epoch). */
export function hcmToday(now = Date.now()): string {
  return new Date(now + HCM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The calendar day of an ISO time in Asia/Ho_Chi_Minh. */
export function hcmDay(iso: string): string {
  if (iso.endsWith('+07:00')) return iso.slice(0, 10);
  return new Date(Date.parse(iso) + HCM_OFFSET_MS).toISOString().slice(0, 10);
}

const ms = (day: string): number => Date.parse(`${day}T00:00:00Z`);
const fmt = (t: number): string => new Date(t).toISOString().slice(0, 10);

export function addDays(day: string, n: number): string {
  return fmt(ms(day) + n * 86_400_000);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = ms(from); t <= ms(to); t += 86_400_000) out.push(fmt(t));
  return out;
}

function lastDayOfMonth(y: number, m: number): string {
  return fmt(Date.UTC(y, m, 0)); // day 0 of the next month (m is 1-based here)
}

/** The month, quarter and year containing a day. */
export function periodsContaining(day: string): Period[] {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  const q0 = Math.floor((m - 1) / 3) * 3 + 1;
  const pad = (n: number) => String(n).padStart(2, '0');
  return [
    { period: 'month', start: `${y}-${pad(m)}-01`, end: lastDayOfMonth(y, m) },
    { period: 'quarter', start: `${y}-${pad(q0)}-01`, end: lastDayOfMonth(y, q0 + 2) },
    { period: 'year', start: `${y}-01-01`, end: `${y}-12-31` },
  ];
}

/** The day periods of some days, then the distinct longer periods containing them. */
export function planPeriods(days: readonly string[]): { days: Period[]; longer: Period[] } {
  const unique = [...new Set(days)].sort();
  const longer = new Map<string, Period>();
  for (const d of unique) for (const p of periodsContaining(d)) longer.set(`${p.period}:${p.start}`, p);
  return {
    days: unique.map((d) => ({ period: 'day', start: d, end: d })),
    longer: [...longer.values()].sort((a, b) => (a.start === b.start ? a.period.localeCompare(b.period) : a.start.localeCompare(b.start))),
  };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
