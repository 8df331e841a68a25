// The indicator activities: compute a bounded set of periods, read the late data the nightly run
// must pick up, move its watermark, and write validated imports in the process that owns the store.
import { select } from '../../infra/clickhouse/store.ts';
import { computePeriods } from '../../indicators/compute.ts';
import { linkedDaysSql } from '../../indicators/counted-days.ts';
import type { ManualRow, RowError, TargetRow, UnitRow } from '../../indicators/import.ts';
import { writeIntoEmpty, writeManual, writeTargets, writeUnits } from '../../indicators/load.ts';
import { writeUnitsTouching } from '../../indicators/reference-days.ts';
import type { Period } from '../../indicators/periods.ts';
import { UsageError } from '../../lib/errors.ts';
import { mapFailures, withHeartbeat } from './support.ts';
import type { ActivityDeps } from './deps.ts';

/** At most this many periods per activity call, so that one call stays bounded. */
export const MAX_PERIODS_PER_CALL = 31;

export interface TouchedSince {
  /**
   * Days (YYYY-MM-DD) touched by sink batches after the watermark, with the days the counted-days
   * rule links to them (a dossier's payments and ratings: indicators/counted-days.ts).
   */
  days: string[];
  /** The newest touched_at seen: the next watermark (null when nothing was touched). */
  until: string | null;
}

export type ImportRequest =
  | { kind: 'units'; rows: UnitRow[]; onlyIntoEmpty?: boolean }
  | { kind: 'targets'; rows: TargetRow[]; onlyIntoEmpty?: boolean }
  | { kind: 'manual'; rows: (ManualRow & { line?: number })[] };

export interface ImportResult {
  written: number;
  errors: RowError[];
  /** onlyIntoEmpty and the table held rows: nothing written, what is there kept. */
  kept?: boolean;
  /** Units: the already-computed days the import changed (the next nightly run recomputes them). */
  daysToRecompute?: number;
}

export function createIndicatorActivities({ store, log }: ActivityDeps) {
  const clog = log.child({ component: 'compute' });
  return mapFailures({
    async computeIndicatorPeriods(periods: Period[]): Promise<{ periods: number; rows: number; ms: number }> {
      if (periods.length > MAX_PERIODS_PER_CALL) throw new UsageError(`at most ${MAX_PERIODS_PER_CALL} periods per call, got ${periods.length}`);
      const r = await withHeartbeat((beat) => computePeriods(store, periods, clog, () => beat({ periods: periods.length })));
      clog.info({ periods: periods.length, first: periods[0]?.start, last: periods.at(-1)?.end, rows: r.rows, ms: r.ms }, 'indicators computed');
      return r;
    },

    async touchedDaysSince(watermarkName: string): Promise<TouchedSince> {
      const [w] = await select<{ until: string }>(
        store,
        `SELECT toString(touched_until) AS until FROM ${store.db}.compute_watermarks FINAL WHERE name = {name:String}`,
        { name: watermarkName },
      );
      const since = w?.until ?? '1970-01-01 00:00:00.000';
      const rows = await select<{ day: string; until: string }>(
        store,
        `SELECT toString(day) AS day, toString(max(last_touch) OVER ()) AS until FROM (
           SELECT day, max(touched_at) AS last_touch FROM ${store.db}.touched_days
           WHERE touched_at > toDateTime64({since:String}, 3, 'Asia/Ho_Chi_Minh') GROUP BY day)
         ORDER BY day`,
        { since },
      );
      if (rows.length === 0) return { days: [], until: null };
      const linked = await select<{ day: string }>(store, linkedDaysSql(store.db), { since });
      const days = [...new Set([...rows.map((r) => r.day), ...linked.map((r) => r.day)])].sort();
      return { days, until: rows[0]?.until ?? null };
    },

    async saveWatermark(watermarkName: string, until: string): Promise<void> {
      await store.client.insert({
        table: `${store.db}.compute_watermarks`,
        values: [{ name: watermarkName, touched_until: until, updated_at: new Date().toISOString() }],
        format: 'JSONEachRow',
      });
    },

    async importRows(req: ImportRequest): Promise<ImportResult> {
      switch (req.kind) {
        case 'units': {
          if (req.onlyIntoEmpty) return { ...(await writeIntoEmpty(store, req)), errors: [] };
          let written = 0;
          const days = await writeUnitsTouching(store, req.rows, async () => (written = await writeUnits(store, req.rows)));
          clog.info({ units: written, daysToRecompute: days }, 'units imported');
          return { written, errors: [], daysToRecompute: days };
        }
        case 'targets':
          if (req.onlyIntoEmpty) return { ...(await writeIntoEmpty(store, req)), errors: [] };
          return { written: await writeTargets(store, req.rows), errors: [] };
        case 'manual':
          return writeManual(store, req.rows);
      }
    },
  });
}
export type IndicatorActivities = ReturnType<typeof createIndicatorActivities>;
