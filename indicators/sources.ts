// Which relations the API reads: the IOC views (migration 0020) when present, else the tables they
// wrap, so that the API works on a store migrated before the views existed.
import { select, type Store } from '../infra/clickhouse/store.ts';

export interface Sources {
  /** `indicator_values` deduplicated: a relation expression to put after FROM. */
  values: string;
  /** v_scorecard, or undefined when the view does not exist yet. */
  scorecard?: string;
}

export function sourcesLoader(store: Store): () => Promise<Sources> {
  let cached: Sources | undefined;
  return async () => {
    if (cached?.scorecard) return cached;
    const names = new Set(
      (await select<{ name: string }>(store, 'SELECT name FROM system.tables WHERE database = {db:String} AND name IN (\'v_indicator_values\', \'v_scorecard\')', { db: store.db })).map((r) => r.name),
    );
    cached = {
      values: names.has('v_indicator_values') ? `${store.db}.v_indicator_values` : `${store.db}.indicator_values FINAL`,
      ...(names.has('v_scorecard') ? { scorecard: `${store.db}.v_scorecard` } : {}),
    };
    return cached;
  };
}
