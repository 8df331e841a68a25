// The unit hierarchy from the `units` table (latest version of each code), cached briefly, and the
// subtree a scoped token may see.
import { select, type Store } from '../../infra/clickhouse/store.ts';

export interface Unit {
  code: string;
  name: string;
  level: string;
  parent_code: string;
  valid_from: string;
  valid_to: string | null;
}

export class UnitTree {
  private readonly byCode = new Map<string, Unit>();
  private readonly children = new Map<string, Unit[]>();

  constructor(readonly units: Unit[]) {
    for (const u of units) this.byCode.set(u.code, u);
    for (const u of units) {
      if (!u.parent_code || !this.byCode.has(u.parent_code)) continue;
      const list = this.children.get(u.parent_code) ?? [];
      list.push(u);
      this.children.set(u.parent_code, list);
    }
  }

  get(code: string): Unit | undefined {
    return this.byCode.get(code);
  }

  childrenOf(code: string): Unit[] {
    return this.children.get(code) ?? [];
  }

  /** The unit and every unit below it (cycles in bad data cannot loop). */
  subtree(code: string): Unit[] {
    const root = this.byCode.get(code);
    if (!root) return [];
    const out: Unit[] = [];
    const seen = new Set<string>();
    const stack = [root];
    while (stack.length > 0) {
      const u = stack.pop() as Unit;
      if (seen.has(u.code)) continue;
      seen.add(u.code);
      out.push(u);
      stack.push(...this.childrenOf(u.code));
    }
    return out;
  }

  /** Whether `code` lies in `scope`'s subtree (no scope: everything). */
  inScope(code: string, scope: string | undefined): boolean {
    if (scope === undefined) return true;
    const seen = new Set<string>();
    let u = this.byCode.get(code);
    while (u && !seen.has(u.code)) {
      if (u.code === scope) return true;
      seen.add(u.code);
      u = u.parent_code ? this.byCode.get(u.parent_code) : undefined;
    }
    return false;
  }
}

const TTL_MS = 15_000;

/** Loads the hierarchy at most every few seconds: units change by import, rarely. */
export function unitTreeLoader(store: Store): () => Promise<UnitTree> {
  let cached: { at: number; tree: UnitTree } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < TTL_MS) return cached.tree;
    const rows = await select<Unit>(
      store,
      `SELECT code, name, level, parent_code, toString(vf) AS valid_from, vt AS valid_to
       FROM (SELECT code, argMax(name, valid_from) AS name, argMax(level, valid_from) AS level, argMax(parent_code, valid_from) AS parent_code,
                    max(valid_from) AS vf, if(countIf(valid_to IS NULL) > 0, NULL, toString(max(valid_to))) AS vt
             FROM ${store.db}.units FINAL GROUP BY code)
       ORDER BY code`,
    );
    cached = { at: Date.now(), tree: new UnitTree(rows) };
    return cached.tree;
  };
}
