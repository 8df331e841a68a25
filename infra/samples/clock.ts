// Local (Asia/Ho_Chi_Minh, UTC+7) times in the formats the sources write: the samples deliberately
// mix them (yyyyMMddHHmmss for the one-stop-shop, dd/MM/yyyy for spreadsheets, ISO for the portal).

const HCM = 7 * 3600_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** UTC ms of local midnight of a YYYY-MM-DD day. */
export function localMidnight(day: string): number {
  return Date.parse(`${day}T00:00:00+07:00`);
}

function parts(t: number) {
  const d = new Date(t + HCM);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return { y: p(d.getUTCFullYear(), 4), mo: p(d.getUTCMonth() + 1), d: p(d.getUTCDate()), h: p(d.getUTCHours()), mi: p(d.getUTCMinutes()), s: p(d.getUTCSeconds()), dow: d.getUTCDay() };
}

/** yyyyMMddHHmmss */
export const compact = (t: number) => {
  const x = parts(t);
  return `${x.y}${x.mo}${x.d}${x.h}${x.mi}${x.s}`;
};
/** dd/MM/yyyy */
export const dmy = (t: number) => {
  const x = parts(t);
  return `${x.d}/${x.mo}/${x.y}`;
};
/** dd/MM/yyyy HH:mm:ss */
export const dmyTime = (t: number) => {
  const x = parts(t);
  return `${x.d}/${x.mo}/${x.y} ${x.h}:${x.mi}:${x.s}`;
};
/** dd/MM/yyyy HH:mm */
export const dmyMinute = (t: number) => {
  const x = parts(t);
  return `${x.d}/${x.mo}/${x.y} ${x.h}:${x.mi}`;
};
/** ISO 8601 with +07:00 */
export const iso = (t: number) => {
  const x = parts(t);
  return `${x.y}-${x.mo}-${x.d}T${x.h}:${x.mi}:${x.s}+07:00`;
};
/** yyMMdd, for record codes */
export const yymmdd = (t: number) => {
  const x = parts(t);
  return `${x.y.slice(2)}${x.mo}${x.d}`;
};
export const dayOfWeek = (t: number) => parts(t).dow;
export const isWeekend = (t: number) => dayOfWeek(t) === 0 || dayOfWeek(t) === 6;

/** Every local day from `from` to `to` (YYYY-MM-DD, inclusive), as UTC ms of its midnight. */
export function* days(from: string, to: string): Generator<number> {
  for (let t = localMidnight(from); t <= localMidnight(to); t += DAY) yield t;
}
