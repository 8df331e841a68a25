// Byte-level helpers shared by the readers: chunked file reading and lines; strict UTF-8 decoding (an
// invalid byte sequence is reported, never replaced by U+FFFD) and the BOM are lib/csv.ts'.
import { createReadStream } from 'node:fs';
import { decodeUtf8, hasBom } from '../../../lib/csv.ts';
import { FILE_LIMITS, tooLarge } from '../limits.ts';

export { decodeUtf8 };

export async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
}

export const NOT_UTF8 = 'not valid UTF-8 text (an export in another encoding?); the original bytes are kept in base64';

/**
 * Splits a byte stream into lines (LF or CRLF), with their 1-based line numbers; a BOM is dropped.
 * A line longer than maxLine bytes stops the reading (FileLimitError): it would be held whole in memory.
 */
export async function* lines(chunks: AsyncIterable<Buffer>, maxLine: number = FILE_LIMITS.recordBytes, path = ''): AsyncGenerator<{ bytes: Buffer; line: number }> {
  let carry: Buffer | undefined;
  let line = 0;
  let first = true;
  for await (const chunk of chunks) {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    if (first) {
      // Decide on a byte-order mark only once three bytes are there.
      if (buf.length < 3) {
        carry = Buffer.from(buf);
        continue;
      }
      if (hasBom(buf)) buf = buf.subarray(3);
      first = false;
    }
    let pos = 0;
    for (let nl = buf.indexOf(0x0a, pos); nl !== -1; nl = buf.indexOf(0x0a, pos)) {
      line++;
      const end = nl > pos && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      if (end - pos > maxLine) throw tooLarge(path, `line ${line} is longer than the limit of one record:`, end - pos, maxLine);
      yield { bytes: buf.subarray(pos, end), line };
      pos = nl + 1;
    }
    carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
    if (carry !== undefined && carry.length > maxLine) throw tooLarge(path, `line ${line + 1} is longer than the limit of one record:`, carry.length, maxLine);
  }
  if (carry && carry.length > 0) {
    if (first && hasBom(carry)) carry = carry.subarray(3);
    line++;
    const end = carry[carry.length - 1] === 0x0d ? carry.length - 1 : carry.length;
    if (end > maxLine) throw tooLarge(path, `line ${line} is longer than the limit of one record:`, end, maxLine);
    yield { bytes: carry.subarray(0, end), line };
  }
}
