// Computes the indicators of every family for a bounded set of periods, each family one
// INSERT ... SELECT in ClickHouse. Recomputing inserts rows with a later computed_at, which the
// ReplacingMergeTree (and FINAL in v_indicator_values) keeps instead of the older ones.
import type { Store } from '../infra/clickhouse/store.ts';
import { InfraError, errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Family } from './catalogue.ts';
import { documentManagementSql } from './document-management.ts';
import { oneStopShopSql } from './one-stop-shop.ts';
import type { Period } from './periods.ts';
import { publicServicePortalSql } from './public-service-portal.ts';
import { periodParams } from './rollup.ts';

/** The computed families (manual indicators are imported, not computed). */
export const COMPUTED_FAMILIES: Record<Exclude<Family, 'manual'>, (db: string) => string> = {
  'one-stop-shop': oneStopShopSql,
  'public-service-portal': publicServicePortalSql,
  'document-management': documentManagementSql,
};

export interface ComputeResult {
  periods: number;
  rows: number;
  ms: number;
}

/** Computes every family for these periods; `beat` is called between statements (activity heartbeat). */
export async function computePeriods(store: Store, periods: readonly Period[], log: Logger, beat: () => void = () => undefined): Promise<ComputeResult> {
  if (periods.length === 0) return { periods: 0, rows: 0, ms: 0 };
  const started = Date.now();
  const params = periodParams(periods);
  let rows = 0;
  for (const [family, sql] of Object.entries(COMPUTED_FAMILIES)) {
    const t = Date.now();
    try {
      const r = await store.client.command({ query: sql(store.db), query_params: params, clickhouse_settings: { wait_end_of_query: 1 } });
      rows += Number(r.summary?.written_rows ?? 0);
    } catch (e) {
      throw new InfraError(`computing ${family} for ${params.lo}..${params.hi} failed: ${errorMessage(e)}`, 'COMPUTE_FAILED', { family, lo: params.lo, hi: params.hi }, { cause: e });
    }
    log.debug({ family, periods: periods.length, lo: params.lo, hi: params.hi, ms: Date.now() - t }, 'family computed');
    beat();
  }
  return { periods: periods.length, rows, ms: Date.now() - started };
}
