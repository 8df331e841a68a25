// One flush of the sink: the decoded messages of several topic-partition chunks become inserts into
// ClickHouse, each idempotent. Events already in raw_events are not written there again, nor their
// touched days (a replay or a redelivery with other boundaries carries the same event ids); the
// latest-state tables take every event, since FINAL shows one row per record. Every insert
// carries an insert_deduplication_token derived from the table and the offset ranges it holds.
// raw_events is written LAST: an event present there has all its other rows written, which is what
// makes the "already in raw_events" filter safe after a crash between two inserts.
// The previous stored version of each record is read before the latest-state tables are written
// (previous.ts): touched_days holds the days it counted on as well as the new version's.
// touched_days is written after the latest-state tables too: the late-data recomputation
// (workflows/activities/indicators.ts) reads the days touched since its last run and then the
// latest state, so a touched day must never be visible before the rows that touched it.
import { createHash } from 'node:crypto';
import { insertBytes, select, type Store } from '../../infra/clickhouse/store.ts';
import { ChisoError, InfraError, errorMessage } from '../../lib/errors.ts';
import type { Decoded } from './decode.ts';
import { joinLines, type LineBuffer, type Lines } from './lines.ts';
import { DataRefused, isDataRefusal, refusalReason } from './refused.ts';
import { chTime, type KafkaPosition, type PreparedEvent, prepareEvent, RAW_COLUMNS, rejectRow, type Row, runRow } from './rows.ts';
import { type DayVersion, eachTouched } from '../../indicators/counted-days.ts';
import { hcmToday } from '../../indicators/periods.ts';
import { previousKey, previousVersions, storedVersions } from './previous.ts';

/** A decoded message as a chunk holds it: an event is kept with its rows prepared. */
export type Item = Exclude<Decoded, { kind: 'event' }> | { kind: 'event'; event: PreparedEvent; pos: KafkaPosition };

export function toItem(d: Decoded, lines: LineBuffer): Item {
  return d.kind === 'event' ? { kind: 'event', event: prepareEvent(d.event, d.pos, lines), pos: d.pos } : d;
}

/** The messages of one topic-partition, consecutive offsets first..last. */
export interface Chunk {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  items: Item[];
}

/**
 * Ids per known-id query at most: over HTTP the ids travel in the URL (1 MiB at most); in-process
 * they do not, and each query reads the event_id column of the slices it covers, so fewer is cheaper.
 */
const ID_CHUNK = { chdb: 100_000, server: 10_000 } as const;

/**
 * Hex characters of an event id (32 in all, schemas/events.ts) the known-id query matches on when it
 * checks many ids: 48 bits, so that a stored id sharing the prefix of a checked one is rare (about
 * 10^-3 per flush at ten million stored events) and costs one returned row, never a wrong answer.
 */
const ID_PREFIX = 12;
/** Ids per flush from which prefixes are cheaper than the ids (measured on chDB: equal at about 2,000). */
const PREFIX_FROM = 5_000;

export interface FlushResult {
  rowsWritten: number;
  eventsWritten: number;
  duplicatesDropped: number;
  rejects: number;
  poison: number;
  /** Records ClickHouse refused, isolated and written as rejects instead (isolate.ts). */
  refused: number;
  insertMs: number[];
  dedupMs: number;
}

export interface WriteHooks {
  /** Called after each successful insert (test-only fault injection). */
  afterInsert?: (table: string) => void;
  /**
   * Asked right before raw_events is written: false when the group started to rebalance since the
   * chunks were fetched (their partitions may be another member's now); the flush then stops there.
   */
  stillOurs?: () => boolean;
}

/** The flush stopped before raw_events because the group is rebalancing (WriteHooks.stillOurs): the chunks come again. */
export class Fenced extends ChisoError {
  override readonly name = 'Fenced';
  constructor(message: string) {
    super(message, 'FENCED', true);
  }
}

export function rangeOf(c: Pick<Chunk, 'topic' | 'partition' | 'firstOffset' | 'lastOffset'>): string {
  return `${c.topic}:${c.partition}:${c.firstOffset}-${c.lastOffset}`;
}

/**
 * Writes the chunks; throws DataRefused when ClickHouse refuses rows for what they hold (isolate.ts
 * then finds them), InfraError (retriable) when it fails otherwise; either way the same call may be
 * repeated.
 */
export async function writeChunks(store: Store, lines: LineBuffer, chunks: Chunk[], touchedAt: Date, hooks: WriteHooks = {}): Promise<FlushResult> {
  const ranges = chunks.map(rangeOf).sort().join(',');
  const result: FlushResult = { rowsWritten: 0, eventsWritten: 0, duplicatesDropped: 0, rejects: 0, poison: 0, refused: 0, insertMs: [], dedupMs: 0 };
  const events: PreparedEvent[] = [];
  const rejects: Row[] = [];
  const runs: Row[] = [];
  for (const c of chunks) {
    for (const d of c.items) {
      if (d.kind === 'event') events.push(d.event);
      else if (d.kind === 'reject') rejects.push(rejectRow(d.reject, d.pos));
      else if (d.kind === 'run') runs.push(runRow(d.run));
      else {
        rejects.push({ ...rejectRow(d.reject, d.pos), source: d.source });
        result.poison++;
      }
    }
  }
  result.rejects = rejects.length;

  const insert = async (table: string, rows: Row[] | Lines, tokenTable = table) => {
    const data = Array.isArray(rows) ? serialise(rows, lines) : rows;
    if (data.lines.length === 0) return;
    const ms = await insertLines(store, table, data, `${tokenTable}|${ranges}`);
    result.insertMs.push(ms);
    result.rowsWritten += data.lines.length;
    hooks.afterInsert?.(table);
  };

  // The batch column names the flush by a short hash of its offset ranges (the ranges can be long).
  const batch = createHash('sha256').update(ranges).digest('hex').slice(0, 16);
  // Everything but raw_events first, concurrently, and beside them the known-id check. The latest
  // state, rejects and runs are keyed tables read with FINAL: an event delivered again is written
  // there again and changes nothing. touched_days (keyed by batch too) and raw_events (read without
  // FINAL) only get the events raw_events does not hold yet, touched_days first.
  const known = (async () => {
    const t0 = performance.now();
    const fresh = await dropKnown(store, events);
    result.dedupMs = performance.now() - t0;
    return fresh;
  })();
  // The previous versions are read before the latest-state tables get the new ones.
  const stored = storedVersions(store, events);
  await settleAll([
    known.then(() => undefined),
    insert('rejects', rejects),
    insert('ingest_runs', runs),
    stored.then(() => settleAll([...latestLines(events)].map(([table, lines]) => insert(table, lines)))).then(() => undefined),
  ]);
  const fresh = await known;
  result.duplicatesDropped = events.length - fresh.length;
  await insert('touched_days', touchedRows(fresh, batch, chTime(touchedAt.toISOString()), previousVersions(await stored, fresh), hcmToday(touchedAt.getTime())));
  if (hooks.stillOurs?.() === false) throw new Fenced('the group is rebalancing: raw_events not written, the chunks are left to be delivered again');
  // ...then raw_events, only once all of those succeeded.
  const bySource = new Map<string, Lines>();
  for (const e of fresh) {
    const group = bySource.get(e.source) ?? { columns: RAW_COLUMNS, lines: [], objectsAsStrings: true, keysUnique: true };
    group.lines.push(e.raw);
    bySource.set(e.source, group);
  }
  await settleAll([...bySource].map(([source, rows]) => insert('raw_events', rows, `raw_events/${source}`)));
  result.eventsWritten = fresh.length;
  return result;
}

/**
 * Like Promise.all, but waits for every insert to end before failing, so a retry never overlaps one.
 * An infrastructure failure outranks a refusal of the data: the rows are only blamed when nothing
 * else went wrong.
 */
async function settleAll(work: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const first = failed.find((r) => !(r.reason instanceof DataRefused)) ?? failed[0];
  if (first) throw first.reason;
}

/** The events whose event_id is neither in raw_events already nor earlier in this flush. */
async function dropKnown(store: Store, events: PreparedEvent[]): Promise<PreparedEvent[]> {
  const seen = new Set<string>();
  const unique = events.filter((e) => (seen.has(e.event_id) ? false : (seen.add(e.event_id), true)));
  const known = new Set<string>();
  const size = ID_CHUNK[store.mode];
  if (unique.length >= PREFIX_FROM) {
    // Many ids: one query for all of them (with many random ids nearly every granule of their slices
    // holds one anyway, so per-slice queries read no less and each waited its turn), matching their
    // first ID_PREFIX characters: parsing the parameter is most of the query's cost, and a third of
    // the text parses three times faster. A row that only shares a prefix is returned too and
    // matches no id below.
    const sources = [...new Set(unique.map((e) => e.source))];
    const entities = [...new Set(unique.map((e) => e.entity))];
    for (let i = 0; i < unique.length; i += size) {
      const values = unique.slice(i, i + size).map((e) => e.event_id.slice(0, ID_PREFIX)).join(',');
      for (const r of await knownRows(store, `substring(event_id, 1, ${ID_PREFIX})`, { sources, entities, values })) known.add(r.event_id);
    }
    return unique.filter((e) => !known.has(e.event_id));
  }
  // Few ids: the ids themselves, one query per (source, entity), whose primary key skips the granules
  // that hold none of them.
  const groups = new Map<string, { sources: string[]; entities: string[]; ids: string[] }>();
  for (const e of unique) {
    const k = `${e.source}/${e.entity}`;
    const g = groups.get(k) ?? { sources: [e.source], entities: [e.entity], ids: [] };
    g.ids.push(e.event_id);
    groups.set(k, g);
  }
  for (const g of groups.values()) {
    for (let i = 0; i < g.ids.length; i += size) {
      const values = g.ids.slice(i, i + size).join(',');
      for (const r of await knownRows(store, 'event_id', { sources: g.sources, entities: g.entities, values })) known.add(r.event_id);
    }
  }
  return unique.filter((e) => !known.has(e.event_id));
}

/** The raw_events rows of the slices whose `match` (event_id or a prefix) is one of the comma-joined values. */
function knownRows(store: Store, match: string, p: { sources: string[]; entities: string[]; values: string }): Promise<{ event_id: string }[]> {
  return guarded('raw_events', () =>
    select<{ event_id: string }>(
      store,
      // The values comma-joined in one string (event ids are hex), split by ClickHouse: cheaper to
      // pass than an Array(String) literal of as many elements.
      `SELECT event_id FROM ${store.db}.raw_events
        WHERE source IN {sources:Array(String)} AND entity IN {entities:Array(String)}
          AND ${match} IN (SELECT arrayJoin(splitByChar(',', {values:String})))`,
      p,
    ),
  );
}

/** One row per record and table: the newest updated_at of this flush (ties: the later message). */
function latestLines(events: PreparedEvent[]): Map<string, Lines> {
  // Keyed by table, then by record id: two keys, never one string joining them.
  const newest = new Map<string, Map<string, PreparedEvent>>();
  for (const e of events) {
    let table = newest.get(e.latestTable);
    if (table === undefined) newest.set(e.latestTable, (table = new Map()));
    const prev = table.get(e.recordId);
    if (prev === undefined || e.updatedMs >= prev.updatedMs) table.set(e.recordId, e);
  }
  const byTable = new Map<string, Lines>();
  for (const [name, records] of newest) {
    const lines: Lines = { columns: [], lines: [], keysUnique: true };
    for (const e of records.values()) {
      lines.columns = e.latestColumns;
      lines.lines.push(e.latest);
    }
    byTable.set(name, lines);
  }
  return byTable;
}

/**
 * The distinct (entity, unit_code, day) the fresh events touch, as rows (nested sets, no joined keys):
 * the days their own versions count on, and those their records' previous stored versions counted
 * on, under the previous unit (indicators/counted-days.ts, eachTouched).
 */
export function touchedRows(events: PreparedEvent[], batch: string, touchedAt: string, previous: Map<string, DayVersion> = new Map(), today: string = hcmToday()): Row[] {
  const byEntity = new Map<string, Map<string, Set<string>>>();
  for (const e of events) {
    let units = byEntity.get(e.entity);
    if (units === undefined) byEntity.set(e.entity, (units = new Map()));
    const into = units;
    eachTouched(e.entity, previous.get(previousKey(e.entity, e.recordId)), e.version, today, (unit, day) => {
      let set = into.get(unit);
      if (set === undefined) into.set(unit, (set = new Set()));
      set.add(day);
    });
  }
  const rows: Row[] = [];
  for (const [entity, units] of byEntity) for (const [unit_code, days] of units) for (const day of days) rows.push({ entity, unit_code, day, touched_at: touchedAt, batch });
  return rows;
}

/** Rows of one table (they share their keys) as JSONCompactEachRow lines: about half the parsing cost of JSONEachRow in ClickHouse. */
function serialise(rows: Row[], buffer: LineBuffer): Lines {
  const columns = Object.keys(rows[0] ?? {});
  return { columns, lines: rows.map((r) => buffer.line(JSON.stringify(columns.map((c) => r[c])))) };
}

/**
 * INSERT of the lines as one body, with the token in the statement's SETTINGS clause (chDB turns
 * client-level settings into a session-wide SET, which would leak the token into later inserts).
 */
async function insertLines(store: Store, table: string, data: Lines, token: string): Promise<number> {
  const t0 = performance.now();
  const settings: Record<string, string | number> = { insert_deduplication_token: token };
  if (data.objectsAsStrings) settings.input_format_json_read_objects_as_strings = 1;
  // The events' tables get one line per key and flush (dropKnown, latestLines): the replacing merge
  // ClickHouse runs over each inserted block would find nothing to collapse (about 8 % of a
  // raw_events insert's CPU).
  if (data.keysUnique) settings.optimize_on_insert = 0;
  // In-process, ClickHouse's parsing threads only compete with the sink's own thread for the same
  // cores: parsing on the inserting thread costs less CPU (measured on chDB, 200k raw_events rows:
  // 1.42-1.44 CPU-s against 1.50-1.83).
  if (store.mode === 'chdb') settings.input_format_parallel_parsing = 0;
  const body = joinLines(data.lines);
  await guarded(table, () => insertBytes(store, { table, columns: data.columns, format: 'JSONCompactEachRow', settings, body }));
  return performance.now() - t0;
}

async function guarded<T>(table: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isDataRefusal(e)) throw new DataRefused(table, refusalReason(e), { cause: e });
    throw new InfraError(`ClickHouse write to ${table} failed: ${errorMessage(e)}`, 'SINK_WRITE_FAILED', { table }, { cause: e, retriable: true });
  }
}
