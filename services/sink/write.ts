// One flush of the sink: the decoded messages of several topic-partition chunks become inserts into
// ClickHouse, each idempotent. Events already in raw_events are dropped first (a replay or a
// redelivery with other boundaries carries the same event ids); every insert carries an
// insert_deduplication_token derived from the table and the offset ranges it holds. raw_events is
// written LAST: an event present there has all its other rows written, which is what makes the
// "already in raw_events" filter safe after a crash between two inserts.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import type { CanonicalEvent } from '../../schemas/events.ts';
import { InfraError } from '../lib/errors.ts';
import type { Decoded } from './decode.ts';
import { chTime, LATEST_TABLE, latestRow, rawRow, rejectRow, type Row, runRow, touchedDays } from './rows.ts';

/** The messages of one topic-partition, consecutive offsets first..last. */
export interface Chunk {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  items: Decoded[];
}

const ID_CHUNK = 10_000;

export interface FlushResult {
  rowsWritten: number;
  eventsWritten: number;
  duplicatesDropped: number;
  rejects: number;
  poison: number;
  insertMs: number[];
  dedupMs: number;
}

export interface WriteHooks {
  /** Called after each successful insert (test-only fault injection). */
  afterInsert?: (table: string) => void;
}

export function rangeOf(c: Pick<Chunk, 'topic' | 'partition' | 'firstOffset' | 'lastOffset'>): string {
  return `${c.topic}:${c.partition}:${c.firstOffset}-${c.lastOffset}`;
}

/** Writes the chunks; throws InfraError (retriable) when ClickHouse fails, after which the same call may be repeated. */
export async function writeChunks(store: Store, chunks: Chunk[], touchedAt: Date, hooks: WriteHooks = {}): Promise<FlushResult> {
  const ranges = chunks.map(rangeOf).sort().join(',');
  const result: FlushResult = { rowsWritten: 0, eventsWritten: 0, duplicatesDropped: 0, rejects: 0, poison: 0, insertMs: [], dedupMs: 0 };
  const events: { e: CanonicalEvent; d: Extract<Decoded, { kind: 'event' }> }[] = [];
  const rejects: Row[] = [];
  const runs: Row[] = [];
  for (const c of chunks) {
    for (const d of c.items) {
      if (d.kind === 'event') events.push({ e: d.event, d });
      else if (d.kind === 'reject') rejects.push(rejectRow(d.reject, d.pos));
      else if (d.kind === 'run') runs.push(runRow(d.run));
      else {
        rejects.push({ ...rejectRow(d.reject, d.pos), source: d.source });
        result.poison++;
      }
    }
  }
  result.rejects = rejects.length;

  const t0 = performance.now();
  const fresh = await dropKnown(store, events);
  result.dedupMs = performance.now() - t0;
  result.duplicatesDropped = events.length - fresh.length;

  const insert = async (table: string, rows: Row[], tokenTable = table) => {
    if (rows.length === 0) return;
    const ms = await insertRows(store, table, rows, `${tokenTable}|${ranges}`);
    result.insertMs.push(ms);
    result.rowsWritten += rows.length;
    hooks.afterInsert?.(table);
  };

  // The batch column names the flush by a short hash of its offset ranges (the ranges can be long).
  const batch = createHash('sha256').update(ranges).digest('hex').slice(0, 16);
  // Everything but raw_events first (concurrently: each insert is idempotent on its own)...
  await settleAll([
    insert('rejects', rejects),
    insert('ingest_runs', runs),
    insert('touched_days', touchedRows(fresh.map((f) => f.e), batch, chTime(touchedAt.toISOString()))),
    ...[...latestRows(fresh.map((f) => f.e))].map(([table, rows]) => insert(table, rows)),
  ]);
  // ...then raw_events, only once all of those succeeded.
  const bySource = new Map<string, Row[]>();
  for (const { e, d } of fresh) {
    const list = bySource.get(e.source) ?? [];
    list.push(rawRow(e, d.pos));
    bySource.set(e.source, list);
  }
  await settleAll([...bySource].map(([source, rows]) => insert('raw_events', rows, `raw_events/${source}`)));
  result.eventsWritten = fresh.length;
  return result;
}

/** Like Promise.all, but waits for every insert to end before failing, so a retry never overlaps one. */
async function settleAll(work: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The events whose event_id is neither in raw_events already nor earlier in this flush. */
async function dropKnown<T extends { e: CanonicalEvent }>(store: Store, events: T[]): Promise<T[]> {
  const seen = new Set<string>();
  const unique = events.filter(({ e }) => (seen.has(e.event_id) ? false : (seen.add(e.event_id), true)));
  const known = new Set<string>();
  // One query per (source, entity): the raw_events key prefix, so only that slice is read.
  const groups = new Map<string, { source: string; entity: string; ids: string[] }>();
  for (const { e } of unique) {
    const k = `${e.source}/${e.entity}`;
    const g = groups.get(k) ?? { source: e.source, entity: e.entity, ids: [] };
    g.ids.push(e.event_id);
    groups.set(k, g);
  }
  // At most ID_CHUNK ids per query: over HTTP the bound array travels in the URL (1 MiB at most).
  const queries = [...groups.values()].flatMap((g) =>
    Array.from({ length: Math.ceil(g.ids.length / ID_CHUNK) }, (_, i) => ({ ...g, ids: g.ids.slice(i * ID_CHUNK, (i + 1) * ID_CHUNK) })),
  );
  for (const { source, entity, ids } of queries) {
    const rows = await guarded('raw_events', () =>
      select<{ event_id: string }>(
        store,
        `SELECT event_id FROM ${store.db}.raw_events WHERE source = {source:String} AND entity = {entity:String} AND event_id IN {ids:Array(String)}`,
        { source, entity, ids },
      ),
    );
    for (const r of rows) known.add(r.event_id);
  }
  return unique.filter(({ e }) => !known.has(e.event_id));
}

/** One row per record and table: the newest updated_at of this flush (ties: the later message). */
function latestRows(events: CanonicalEvent[]): Map<string, Row[]> {
  const newest = new Map<string, CanonicalEvent>();
  for (const e of events) {
    const key = `${e.entity}\u0000${e.record_id}`;
    const prev = newest.get(key);
    if (prev === undefined || Date.parse(e.updated_at) >= Date.parse(prev.updated_at)) newest.set(key, e);
  }
  const byTable = new Map<string, Row[]>();
  for (const e of newest.values()) {
    const table = LATEST_TABLE[e.entity];
    const list = byTable.get(table) ?? [];
    list.push(latestRow(e));
    byTable.set(table, list);
  }
  return byTable;
}

function touchedRows(events: CanonicalEvent[], batch: string, touchedAt: string): Row[] {
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (const e of events) {
    for (const day of touchedDays(e)) {
      const key = `${e.entity}\u0000${e.unit_code}\u0000${day}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ entity: e.entity, unit_code: e.unit_code, day, touched_at: touchedAt, batch });
    }
  }
  return rows;
}

/**
 * INSERT with the token as a query-level SETTINGS clause (rows of one table share their keys): chDB turns client-level settings into a
 * session-wide SET, which would leak the token into later inserts of the same process.
 */
async function insertRows(store: Store, table: string, rows: Row[], token: string): Promise<number> {
  const t0 = performance.now();
  // JSONCompactEachRow with a column list: about half the parsing cost of JSONEachRow in ClickHouse.
  const columns = Object.keys(rows[0] ?? {});
  const body = rows.map((r) => JSON.stringify(columns.map((c) => r[c]))).join('\n');
  const quoted = token.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  await guarded(table, async () => {
    const r = await store.client.exec({
      query: `INSERT INTO ${store.db}.${table} (${columns.join(', ')}) SETTINGS insert_deduplication_token = '${quoted}' FORMAT JSONCompactEachRow`,
      values: Readable.from([body]),
    });
    // Read the (empty) answer to its end, so that an HTTP connection goes back to the pool.
    await new Promise<void>((resolve, reject) => r.stream.on('end', resolve).on('close', resolve).on('error', reject).resume());
  });
  return performance.now() - t0;
}

async function guarded<T>(table: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new InfraError(`ClickHouse write to ${table} failed: ${(e as Error).message}`, 'SINK_WRITE_FAILED', { table }, { cause: e, retriable: true });
  }
}
