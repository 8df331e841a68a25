// Serialised rows kept off the V8 heap. A decoded event waits in the sink's queue for a second or
// more, so its rows survive young-generation collections and were copied twice (to the survivor space,
// then to the old generation) while they were strings: most of the sink's garbage-collection time.
// As bytes in large slabs, only a small view object per row stays on the heap, and the flush hands
// the bytes to ClickHouse without encoding them again.

const NEWLINE = 0x0a;
/** Bytes per slab; a slab lives as long as one of its rows is queued. */
const SLAB = 1 << 20;

let slab = Buffer.allocUnsafeSlow(SLAB);
let used = 0;

/** The row's text as UTF-8 bytes followed by a newline (one JSONCompactEachRow line). */
export function line(text: string): Buffer {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8.
  const most = text.length * 3 + 1;
  if (most > slab.length - used) {
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB, most));
    used = 0;
  }
  const start = used;
  const end = start + slab.write(text, start, 'utf8');
  slab[end] = NEWLINE;
  used = end + 1;
  return slab.subarray(start, used);
}

/** Rows of one table, each a line(): the body of one insert. */
export interface Lines {
  columns: readonly string[];
  lines: Buffer[];
  /** Columns given as JSON objects, stored as their text (raw_events.payload). */
  objectsAsStrings?: boolean;
}
