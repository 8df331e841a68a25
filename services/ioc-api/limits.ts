// Request bodies the IOC API accepts, per route. Today only the SQL endpoint takes a body (its JSON
// holds at most 100,000 characters of SQL); every other route reads parameters from the URL. A route
// that takes uploads later (an export file, a targets workbook) gets its own, larger line here.

const KiB = 1024;

export const BODY_LIMITS: Readonly<Record<string, number>> = {
  'POST /api/v1/internal/query': 256 * KiB,
};

/** Routes without a line above: a small JSON body at most. */
export const DEFAULT_BODY_LIMIT = 16 * KiB;

export function bodyLimitOf(method: string | string[], url: string): number {
  const methods = Array.isArray(method) ? method : [method];
  const limits = methods.map((m) => BODY_LIMITS[`${m.toUpperCase()} ${url}`]).filter((n): n is number => n !== undefined);
  return limits.length > 0 ? Math.max(...limits) : DEFAULT_BODY_LIMIT;
}
