// `chiso status --quality [--days N] [--source S]`: data quality of the last N days (default 7) per
// source, entity and day, read through the running chiso process's API (GET /quality, operator token).
import { apiClient, expectOk } from '../../ioc-api/client.ts';
import type { QualityRow } from '../../ioc-api/routes/quality.ts';
import { UsageError } from '../../../lib/errors.ts';
import { addDays, hcmToday } from '../../../indicators/periods.ts';
import { makeContext } from '../context.ts';
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

/** Prints the data-quality table of the last --days days. */
export async function printQuality(ctx: ReturnType<typeof makeContext>, opts: QualityOptions): Promise<void> {
  const days = Number(opts.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--days: expected a whole number of days from 1 to 366, got '${opts.days}'`);
  const since = addDays(hcmToday(), -(days - 1));
  const qs = new URLSearchParams({ since, ...(opts.source ? { source: opts.source } : {}) });
  const r = await expectOk(await apiClient(ctx.cfg).get(`/quality?${qs}`));
  const body = (await r.json()) as { since: string; rows: QualityRow[] };
  ctx.result(body, () => {
    if (body.rows.length === 0) return `không có dữ liệu / nothing since ${since}`;
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
  });
}
