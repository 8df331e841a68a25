// NDJSON / JSONL: one JSON object per line. A line that does not parse (truncated, invalid, not
// UTF-8) becomes a record with a parse error; the rest of the file goes on.
import type { RawRecord } from '../../types.ts';
import { FILE_LIMITS, type FileLimits } from '../limits.ts';
import { decodeUtf8, fileChunks, lines, NOT_UTF8 } from './bytes.ts';
import { errorMessage } from '../../../lib/errors.ts';

export async function* readNdjson(path: string, chunks: AsyncIterable<Buffer> = fileChunks(path), limits: FileLimits = FILE_LIMITS): AsyncGenerator<RawRecord> {
  for await (const { bytes, line } of lines(chunks, limits.recordBytes, path)) {
    const origin = { uri: path, line };
    const text = decodeUtf8(bytes);
    if (text === undefined) {
      yield { origin, original: bytes.toString('base64'), originalEncoding: 'base64', fields: { parseError: NOT_UTF8 } };
      continue;
    }
    if (text.trim() === '') continue;
    yield { origin, original: text, fields: parseObject(text) };
  }
}

export function parseObject(text: string): Record<string, unknown> | { parseError: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // V8 quotes the start of the text ('Unexpected token 'x', "{"CCCD": ..." is not valid JSON'): personal data, left out.
    const why = errorMessage(e).replace(/, "[\s\S]*" is not valid JSON$/, '');
    return { parseError: `invalid JSON (truncated or malformed record): ${why}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { parseError: 'not a JSON object' };
  return v as Record<string, unknown>;
}
