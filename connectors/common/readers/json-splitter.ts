// A streaming splitter for JSON exports: a top-level array of records, or an object whose "data"
// member is that array. It tracks strings, escapes and brackets byte by byte and hands out each
// record's bytes as soon as it is complete, so a 1 GB export never sits in memory. A top-level
// object without "data" is one bare record (kept whole: it is one record).
import { ChisoError } from '../../../lib/errors.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

export type SplitterEnd = { kind: 'done' } | { kind: 'truncated'; partial?: Buffer } | { kind: 'bare'; record: Buffer } | { kind: 'empty' };

/** The bytes are not a JSON export chiso can split into records (files.ts makes it an UnreadableFileError). */
export class JsonSplitError extends ChisoError {
  override readonly name = 'JsonSplitError';
  constructor(message: string) {
    super(message, 'JSON_SPLIT', false);
  }
}

const MAX_BARE = 64 << 20;

export class JsonRecordSplitter {
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Depth of the records array's contents (1: top-level array; 2: { "data": [...] }); 0 until found. */
  private recordsDepth = 0;
  private finished = false;
  private started = false;
  private topIsObject = false;
  private keyBytes: number[] = [];
  private lastKey = '';
  private pendingKey = '';
  /** The element being collected: its parts so far, and whether it is a scalar (ends at , ] or space). */
  private parts: Buffer[] | undefined;
  private elementStart = -1;
  private scalar = false;
  private bare: Buffer[] = [];
  private bareSize = 0;
  /** Bytes of the element being collected, in `parts`. */
  private partsSize = 0;
  private records = 0;

  /** maxRecord: bytes of one record at most (a longer one stops the reading: it would be held whole). */
  constructor(private readonly maxRecord: number = MAX_BARE) {}

  /** Feeds bytes; returns the records completed in them. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    if (this.topIsObject && this.recordsDepth === 0) this.keepBare(chunk.subarray(i));
    const n = chunk.length;
    for (; i < n; i++) {
      const b = chunk[i] as number;
      if (this.finished) continue;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (b === BACKSLASH) this.escape = true;
        else if (b === QUOTE) {
          this.inString = false;
          if (this.recordsDepth === 0 && this.depth === 1) this.lastKey = Buffer.from(this.keyBytes).toString('utf8');
          if (this.parts && this.scalar && this.depth === this.recordsDepth) this.endElement(chunk, i + 1, out);
        } else if (this.recordsDepth === 0 && this.depth === 1 && this.keyBytes.length < 64) this.keyBytes.push(b);
        continue;
      }
      if (isSpace(b)) {
        if (this.parts && this.scalar) this.endElement(chunk, i, out);
        continue;
      }
      if (!this.started) {
        // A UTF-8 byte-order mark before the document (possibly split across chunks) is skipped.
        if (b === 0xef || b === 0xbb || b === 0xbf) continue;
        this.started = true;
        if (b === OPEN_ARR) {
          this.depth = 1;
          this.recordsDepth = 1;
          continue;
        }
        if (b === OPEN_OBJ) {
          this.depth = 1;
          this.topIsObject = true;
          this.keepBare(chunk.subarray(i));
          continue;
        }
        throw new JsonSplitError('not a JSON export: expected a JSON array of records or { "data": [ ... ] }');
      }
      // Directly inside the records array: elements start and scalars end here.
      if (this.recordsDepth > 0 && this.depth === this.recordsDepth) {
        if (this.parts && this.scalar && (b === COMMA || b === CLOSE_ARR)) this.endElement(chunk, i, out);
        if (!this.parts && b !== COMMA && b !== CLOSE_ARR) {
          this.parts = [];
          this.elementStart = i;
          this.scalar = b !== OPEN_OBJ && b !== OPEN_ARR;
        }
      }
      if (b === QUOTE) {
        this.inString = true;
        this.keyBytes = [];
      } else if (b === OPEN_ARR || b === OPEN_OBJ) {
        if (this.recordsDepth === 0 && this.depth === 1 && b === OPEN_ARR && this.pendingKey.toLowerCase() === 'data') {
          this.recordsDepth = 2;
          this.bare = [];
          this.bareSize = 0;
        }
        this.depth++;
      } else if (b === CLOSE_ARR || b === CLOSE_OBJ) {
        this.depth--;
        if (this.parts && !this.scalar && this.depth === this.recordsDepth) this.endElement(chunk, i + 1, out);
        else if (this.recordsDepth > 0 && this.depth === this.recordsDepth - 1) this.finished = true;
        else if (this.depth === 0) this.finished = true;
      } else if (b === COLON && this.recordsDepth === 0 && this.depth === 1) {
        this.pendingKey = this.lastKey;
      } else if (b === COMMA && this.recordsDepth === 0 && this.depth === 1) {
        this.pendingKey = '';
      }
    }
    if (this.parts) {
      const rest = chunk.subarray(this.elementStart < 0 ? 0 : this.elementStart);
      this.partsSize += rest.length;
      if (this.partsSize > this.maxRecord) throw new JsonSplitError(`record ${this.records + 1} is longer than ${this.maxRecord} bytes, the limit of one record (connectors/common/limits.ts)`);
      this.parts.push(Buffer.from(rest));
      this.elementStart = -1;
    }
    return out;
  }

  /** After the last chunk: how the document ended. */
  end(): SplitterEnd {
    if (!this.started) return { kind: 'empty' };
    if (this.topIsObject && this.recordsDepth === 0) {
      return this.finished ? { kind: 'bare', record: Buffer.concat(this.bare) } : { kind: 'truncated', partial: Buffer.concat(this.bare) };
    }
    if (this.parts) return { kind: 'truncated', partial: Buffer.concat(this.parts) };
    return this.finished ? { kind: 'done' } : { kind: 'truncated' };
  }

  private endElement(chunk: Buffer, endExclusive: number, out: Buffer[]): void {
    const parts = this.parts ?? [];
    const last = chunk.subarray(this.elementStart < 0 ? 0 : this.elementStart, endExclusive);
    if (this.partsSize + last.length > this.maxRecord) throw new JsonSplitError(`record ${this.records + 1} is longer than ${this.maxRecord} bytes, the limit of one record (connectors/common/limits.ts)`);
    parts.push(last);
    out.push(parts.length === 1 ? Buffer.from(parts[0] as Buffer) : Buffer.concat(parts));
    this.parts = undefined;
    this.partsSize = 0;
    this.records++;
    this.elementStart = -1;
  }

  private keepBare(bytes: Buffer): void {
    this.bareSize += bytes.length;
    if (this.bareSize > MAX_BARE) throw new JsonSplitError('a JSON object without a "data" array is larger than one record can be');
    this.bare.push(Buffer.from(bytes));
  }
}
