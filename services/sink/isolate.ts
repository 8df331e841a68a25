// One bad record never blocks a partition: when ClickHouse refuses a flush for what its rows hold
// (refused.ts), the flush is split in halves, each written on its own, and a half that is refused
// again is split again, down to the single records that cause it. Each of those becomes a reject
// naming its topic, partition and offset and ClickHouse's reason; everything else is written, and the
// offsets are committed as after any flush. Infrastructure failures are not caught here: they go up
// to the write queue, which retries the whole flush (the same halves, so the same deduplication tokens).
//
// Each piece is written with writeChunks (its inserts carry the tokens of the piece's own offset
// ranges; raw_events takes only what it does not hold yet), so whatever a refused attempt managed
// to insert before it failed is not doubled: the keyed tables are read with FINAL, and touched_days
// at worst names a day twice.
//
// A refused record's reject is redacted like every reject (connectors/redact.ts): its original by key
// and by value, or withheld with an HMAC of its bytes, and ClickHouse's reason, which may quote the row.
import { redactOriginal, redactReason } from '../../connectors/redact.ts';
import type { Store } from '../../infra/clickhouse/store.ts';
import { SOURCES } from '../../schemas/events.ts';
import type { Fingerprint } from './decode.ts';
import { type LineBuffer, lineBytes } from './lines.ts';
import { DataRefused } from './refused.ts';
import type { KafkaPosition } from './rows.ts';
import { type Chunk, type FlushResult, type Item, writeChunks, type WriteHooks } from './write.ts';

interface Located {
  chunk: Chunk;
  item: Item;
}

/** Writes the chunks; records ClickHouse refuses are isolated and written as rejects (see above). */
export async function writeIsolating(store: Store, lines: LineBuffer, chunks: Chunk[], touchedAt: Date, fingerprint: Fingerprint, hooks: WriteHooks = {}): Promise<FlushResult> {
  try {
    return await writeChunks(store, lines, chunks, touchedAt, hooks);
  } catch (e) {
    if (!(e instanceof DataRefused)) throw e;
  }
  const all: Located[] = [];
  for (const chunk of chunks) for (const item of chunk.items) all.push({ chunk, item });
  return bisect(store, lines, all, touchedAt, fingerprint, hooks);
}

async function bisect(store: Store, lines: LineBuffer, list: Located[], touchedAt: Date, fingerprint: Fingerprint, hooks: WriteHooks): Promise<FlushResult> {
  try {
    return await writeChunks(store, lines, pieces(list), touchedAt, hooks);
  } catch (e) {
    if (!(e instanceof DataRefused)) throw e;
    const [only] = list;
    if (list.length === 1 && only !== undefined) return writeRefused(store, lines, only, e, touchedAt, fingerprint, hooks);
    const mid = list.length >> 1;
    const a = await bisect(store, lines, list.slice(0, mid), touchedAt, fingerprint, hooks);
    const b = await bisect(store, lines, list.slice(mid), touchedAt, fingerprint, hooks);
    return merge(a, b);
  }
}

/** The one record ClickHouse refuses, as a reject in its place (at its offset), redacted. */
async function writeRefused(store: Store, lines: LineBuffer, at: Located, e: DataRefused, touchedAt: Date, fingerprint: Fingerprint, hooks: WriteHooks): Promise<FlushResult> {
  const pos = positionOf(at.item);
  const reason = redactReason(`ClickHouse refused the record (${e.table}): ${e.reason}`);
  const original = originalOf(at.item);
  const kept = redactOriginal({ origin: { uri: `kafka://${pos.topic}/${pos.partition}/${pos.offset}` }, original, originalEncoding: 'utf8', fields: {} }, fingerprint);
  const full = refusedItem(at.item, pos, reason, kept.original, touchedAt);
  let r: FlushResult;
  try {
    r = await writeChunks(store, lines, pieces([{ chunk: at.chunk, item: full }]), touchedAt, hooks);
  } catch (again) {
    if (!(again instanceof DataRefused)) throw again;
    // The reject itself is refused (the original text is what ClickHouse cannot take): its location
    // and reason alone, under a token of its own.
    r = await writeChunks(store, lines, pieces([{ chunk: at.chunk, item: refusedItem(at.item, pos, reason, '', touchedAt) }]), touchedAt, hooks);
  }
  return { ...r, refused: r.refused + 1 };
}

function refusedItem(item: Item, pos: KafkaPosition, reason: string, original: string, at: Date): Item {
  const source = item.kind === 'event' ? item.event.source : item.kind === 'poison' ? item.source : item.kind === 'reject' ? item.reject.source : item.run.source;
  return {
    kind: 'poison',
    pos,
    source,
    reject: {
      run_id: item.kind === 'event' ? '' : item.kind === 'reject' ? item.reject.run_id : item.kind === 'run' ? item.run.run_id : '',
      source: (SOURCES as readonly string[]).includes(source) ? (source as (typeof SOURCES)[number]) : SOURCES[0],
      entity: item.kind === 'event' ? item.event.entity : item.kind === 'reject' ? item.reject.entity : item.kind === 'run' ? item.run.entity : '',
      origin: { uri: `kafka://${pos.topic}/${pos.partition}/${pos.offset}` },
      field: '',
      reason,
      original,
      original_encoding: 'utf8',
      // The rejects table keeps one row per location and reason (the latest rejected_at): a redelivery replaces it.
      rejected_at: at.toISOString(),
      topic: pos.topic,
      partition: pos.partition,
      offset: pos.offset,
    },
  };
}

function positionOf(item: Item): KafkaPosition {
  return item.pos;
}

/** The record as the sink had it: an event's raw_events line, a message as JSON. */
function originalOf(item: Item): string {
  if (item.kind === 'event') return lineBytes(item.event.raw).toString('utf8').trimEnd();
  if (item.kind === 'poison') return item.reject.original;
  return JSON.stringify(item.kind === 'reject' ? item.reject : item.run);
}

/** Records in queue order as chunks again: one per run of records of one chunk, offsets from the records. */
function pieces(list: Located[]): Chunk[] {
  const out: Chunk[] = [];
  for (const { chunk, item } of list) {
    const last = out[out.length - 1];
    const offset = positionOf(item).offset;
    if (last !== undefined && last.topic === chunk.topic && last.partition === chunk.partition && owner.get(last) === chunk) {
      last.items.push(item);
      last.lastOffset = offset;
    } else {
      const piece: Chunk = { topic: chunk.topic, partition: chunk.partition, firstOffset: offset, lastOffset: offset, items: [item] };
      owner.set(piece, chunk);
      out.push(piece);
    }
  }
  return out;
}

/** Which queued chunk a piece was cut from. */
const owner = new WeakMap<Chunk, Chunk>();

function merge(a: FlushResult, b: FlushResult): FlushResult {
  return {
    rowsWritten: a.rowsWritten + b.rowsWritten,
    eventsWritten: a.eventsWritten + b.eventsWritten,
    duplicatesDropped: a.duplicatesDropped + b.duplicatesDropped,
    rejects: a.rejects + b.rejects,
    poison: a.poison + b.poison,
    refused: a.refused + b.refused,
    insertMs: [...a.insertMs, ...b.insertMs],
    dedupMs: a.dedupMs + b.dedupMs,
  };
}
