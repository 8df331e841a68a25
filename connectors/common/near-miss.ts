// Fields a record carries that the mapper does not know but that look like one it does (same letters
// once folded, a character or two apart: "TrangThaiHoSoID1", "NgayTiepNhann"). Such a field is never
// read as the known one (a guess could be wrong), and never ignored silently either: the run's summary
// names it, so that an operator can tell the vendor or ask for an alias.
import type { FieldSpec } from './fields.ts';
import { cachedKey } from './fields.ts';

export interface FieldWarning {
  /** The field as exported. */
  field: string;
  /** The known field it looks like (its JSON name). */
  looksLike: string;
}

interface Known {
  keys: Set<string>;
  byKey: { key: string; name: string }[];
}

const knownBySpecs = new WeakMap<readonly FieldSpec[], Known>();
/** Verdict per (spec list, exported key): a file repeats the same few keys on every record. */
const verdicts = new WeakMap<readonly FieldSpec[], Map<string, string | null>>();

function known(specs: readonly FieldSpec[]): Known {
  let k = knownBySpecs.get(specs);
  if (k === undefined) {
    const byKey = specs.flatMap((s) => [s.name, ...(s.aliases ?? [])].map((n) => ({ key: cachedKey(n), name: s.name })));
    k = { keys: new Set(byKey.map((b) => b.key)), byKey };
    knownBySpecs.set(specs, k);
  }
  return k;
}

/** Edit distance, bounded: anything above `max` is returned as max + 1. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}

/** How far apart two folded keys may be: short names differ by one character at most. */
function allowed(key: string): number {
  if (key.length < 5) return 0;
  return key.length < 9 ? 1 : 2;
}

function verdict(specs: readonly FieldSpec[], key: string): string | null {
  const k = known(specs);
  if (key === '' || k.keys.has(key)) return null;
  const max = allowed(key);
  if (max === 0) return null;
  let hit: { name: string; d: number } | null = null;
  for (const b of k.byKey) {
    const d = editDistance(key, b.key, Math.min(max, allowed(b.key)));
    if (d <= Math.min(max, allowed(b.key)) && (hit === null || d < hit.d)) hit = { name: b.name, d };
  }
  return hit?.name ?? null;
}

/** The exported keys that look like a known field without being one. */
export function nearMisses(exportedKeys: Iterable<string>, specs: readonly FieldSpec[]): FieldWarning[] {
  let cache = verdicts.get(specs);
  if (cache === undefined) {
    cache = new Map();
    verdicts.set(specs, cache);
  }
  const out: FieldWarning[] = [];
  for (const field of exportedKeys) {
    let v = cache.get(field);
    if (v === undefined) {
      v = verdict(specs, cachedKey(field));
      if (cache.size < 10_000) cache.set(field, v);
    }
    if (v !== null) out.push({ field, looksLike: v });
  }
  return out;
}
