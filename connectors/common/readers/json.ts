// JSON exports (an array of records, or { "data": [...] }), read record by record through the
// streaming splitter. Each record's origin line is its 1-based index in the array.
import type { RawRecord } from '../../types.ts';
import { FILE_LIMITS, type FileLimits } from '../limits.ts';
import { decodeUtf8, fileChunks, NOT_UTF8 } from './bytes.ts';
import { JsonRecordSplitter } from './json-splitter.ts';
import { parseObject } from './ndjson.ts';

function toRecord(path: string, bytes: Buffer, index: number): RawRecord {
  const origin = { uri: path, line: index };
  const text = decodeUtf8(bytes);
  if (text === undefined) return { origin, original: bytes.toString('base64'), originalEncoding: 'base64', fields: { parseError: NOT_UTF8 } };
  return { origin, original: text, fields: parseObject(text) };
}

export async function* readJson(path: string, chunks: AsyncIterable<Buffer> = fileChunks(path), limits: FileLimits = FILE_LIMITS): AsyncGenerator<RawRecord> {
  const splitter = new JsonRecordSplitter(limits.recordBytes);
  let index = 0;
  for await (const chunk of chunks) {
    for (const bytes of splitter.push(chunk)) yield toRecord(path, bytes, ++index);
  }
  const end = splitter.end();
  if (end.kind === 'bare') yield toRecord(path, end.record, index + 1);
  else if (end.kind === 'truncated' && end.partial && end.partial.length > 0) {
    const rec = toRecord(path, end.partial, index + 1);
    if (!('parseError' in rec.fields)) yield rec;
    else yield { ...rec, fields: { parseError: 'truncated JSON: the file ends inside this record' } };
  }
}
