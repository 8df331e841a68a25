// The data quality of `chiso status` (below the parts of the stack) and `chiso status --quality
// [--days N] [--source S]` (alone): the last N days (default 7) per source, entity and day, read
// through the chiso API (GET /quality, operator token): the local process's, or CHISO_API_URL's.
import { apiClient, expectOk } from '../../ioc-api/client.ts';
import type { QualityRow } from '../../ioc-api/routes/quality.ts';
import { UsageError } from '../../../lib/errors.ts';
import { addDays, hcmToday } from '../../../indicators/periods.ts';
import type { Context } from '../context.ts';
import { table } from '../render.ts';

const METRICS = ['read', 'accepted', 'rejected', 'unknown_unit', 'missing_dates', 'late', 'correction'] as const;
const LABELS: Record<string, string> = {
  read: 'đọc / read',
  accepted: 'nhận / accepted',
  rejected: 'loại / rejected',
  unknown_unit: 'đơn vị lạ / unknown unit',
  missing_dates: 'thiếu ngày / missing dates',
  late: 'đến muộn / late',
  correction: 'sửa / corrections',
};

export interface QualityOptions {
  days: string;
  source?: string;
}

export interface Quality {
  since: string;
  rows: QualityRow[];
}

/** Checks --days (before anything is read, so that a bad value fails whatever else answers). */
export function qualityDays(opts: QualityOptions): number {
  const days = Number(opts.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--days: expected a whole number of days from 1 to 366, got '${opts.days}'`);
  return days;
}

/** The data-quality rows of the last --days days, from the API (GET /quality). */
export async function fetchQuality(ctx: Context, opts: QualityOptions): Promise<Quality> {
  const days = qualityDays(opts);
  const since = addDays(hcmToday(), -(days - 1));
  const qs = new URLSearchParams({ since, ...(opts.source ? { source: opts.source } : {}) });
  const r = await expectOk(await apiClient(ctx.cfg).get(`/quality?${qs}`));
  return (await r.json()) as Quality;
}

/** Prints the data-quality table of the last --days days (`chiso status --quality`). */
export async function printQuality(ctx: Context, opts: QualityOptions): Promise<void> {
  const body = await fetchQuality(ctx, opts);
  ctx.result(body, () => renderQuality(body));
}

/** The title of the data-quality part of `chiso status`. */
export const QUALITY_TITLE = 'Chất lượng dữ liệu / data quality';

/** One line per day, source and entity, then the reject reasons and unknown unit codes. */
export function renderQuality(body: Quality): string {
  if (body.rows.length === 0) return `không có dữ liệu / nothing since ${body.since}`;
  const grid = new Map<string, Record<string, unknown>>();
  const reasons: Record<string, unknown>[] = [];
  for (const row of body.rows) {
    if (row.metric === 'rejected_reason' || (row.metric === 'unknown_unit' && row.reason !== '')) reasons.push({ day: row.day, source: row.source, entity: row.entity, metric: LABELS[row.metric] ?? row.metric, reason: row.reason, n: row.n });
    if (row.metric === 'rejected_reason') continue;
    const k = `${row.day}|${row.source}|${row.entity}`;
    const g = grid.get(k) ?? { day: row.day, source: row.source, entity: row.entity, ...Object.fromEntries(METRICS.map((m) => [LABELS[m], 0])) };
    const label = LABELS[row.metric] ?? row.metric;
    g[label] = Number(g[label] ?? 0) + row.n;
    grid.set(k, g);
  }
  const parts = [table([...grid.values()], ['day', 'source', 'entity', ...METRICS.map((m) => LABELS[m] ?? m)])];
  if (reasons.length > 0) parts.push('', table(reasons, ['day', 'source', 'entity', 'metric', 'reason', 'n']));
  return parts.join('\n');
}
