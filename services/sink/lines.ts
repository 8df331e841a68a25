// Serialised rows kept off the V8 heap. A decoded event waits in the sink's queue for a second or
// more, so its rows survive young-generation collections and were copied twice (to the survivor space,
// then to the old generation) while they were strings: most of the sink's garbage-collection time.
// As bytes in large slabs, only a small view object per row stays on the heap, and the flush hands
// the bytes to ClickHouse without encoding them again.
//
// Each table writes to slabs of its own (a stream), so that the lines one insert takes mostly lie
// one after the other in memory: joinLines() then copies a few long runs instead of every line (a
// copy per line was about 5 % of the sink's thread).

const NEWLINE = 0x0a;
/** Bytes per slab; a slab lives as long as one of its rows is queued. */
const SLAB = 1 << 20;

interface Stream {
  slab: Buffer;
  used: number;
}

/**
 * Where line() put a row: its bytes are slab[start, end). A plain object rather than a Buffer view of
 * them: a view costs a few times more to make, and an event's rows wait in the queue long enough to
 * be copied by the collector once or twice.
 */
export interface Line {
  slab: Buffer;
  start: number;
  end: number;
}

/**
 * The slabs of one sink: each sink instance (createSink) makes its own and hands it to its decoder
 * and its flushes, so two sinks in one process (the tests run group members side by side) never
 * write into each other's slabs.
 */
export class LineBuffer {
  private readonly streams = new Map<string, Stream>();

  /** The row's text as UTF-8 bytes followed by a newline (one JSONCompactEachRow line), in the slabs of `stream`. */
  line(text: string, stream = ''): Line {
    let s = this.streams.get(stream);
    if (s === undefined) {
      s = { slab: Buffer.allocUnsafeSlow(SLAB), used: 0 };
      this.streams.set(stream, s);
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const most = text.length * 3 + 1;
    if (most > s.slab.length - s.used) {
      s.slab = Buffer.allocUnsafeSlow(Math.max(SLAB, most));
      s.used = 0;
    }
    const start = s.used;
    const end = start + s.slab.write(text, start, 'utf8');
    s.slab[end] = NEWLINE;
    s.used = end + 1;
    return { slab: s.slab, start, end: s.used };
  }
}

/** The bytes of one line (a view, not a copy). */
export function lineBytes(l: Line): Buffer {
  return l.slab.subarray(l.start, l.end);
}

/** The lines as one buffer; lines adjacent in a slab are copied as one run. */
export function joinLines(lines: readonly Line[]): Buffer {
  let total = 0;
  for (const l of lines) total += l.end - l.start;
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < lines.length; ) {
    const first = lines[i] as Line;
    let end = first.end;
    let j = i + 1;
    for (let next = lines[j]; next !== undefined && next.slab === first.slab && next.start === end; next = lines[++j]) end = next.end;
    pos += first.slab.copy(out, pos, first.start, end);
    i = j;
  }
  return out;
}

/** Rows of one table, each a line(): the body of one insert. */
export interface Lines {
  columns: readonly string[];
  lines: Line[];
  /** Columns given as JSON objects, stored as their text (raw_events.payload). */
  objectsAsStrings?: boolean;
  /** No two lines share the table's sorting key: ClickHouse need not collapse the block as it inserts it. */
  keysUnique?: boolean;
}
