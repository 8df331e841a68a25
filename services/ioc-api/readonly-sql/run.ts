// Runs a query that parse.ts accepted, under the limits (limits.ts), and measures its answer.
import type { ClickHouseClient } from '@clickhouse/client';
import { type QueryLimits, settingsClause } from './limits.ts';
import { ChisoError } from '../../../lib/errors.ts';

export interface Answer {
  text: string;
  bytes: number;
  /** Rows of the answer when the format or the server tells them; null otherwise. */
  rows: number | null;
}

export type RunResult = { ok: true; answer: Answer } | { ok: false; reason: string };

/** How many rows an answer holds, read from the text of the formats that make it certain. */
export function countRows(format: string, text: string): number | null {
  const lines = () => text.split('\n').filter((l) => l !== '').length;
  switch (format) {
    case 'JSONEachRow':
      return lines();
    case 'TabSeparatedWithNames':
      return Math.max(0, lines() - 1);
    case 'JSON': {
      try {
        const rows = (JSON.parse(text) as { rows?: unknown }).rows;
        return typeof rows === 'number' ? rows : null;
      } catch {
        return null;
      }
    }
    default:
      return null;
  }
}

/** A query whose answer is past limits.maxAnswerBytes: the caller must ask for less. */
export class AnswerTooLarge extends ChisoError {
  override readonly name = 'AnswerTooLarge';
  constructor(message: string) {
    super(message, 'ANSWER_TOO_LARGE', false);
  }
}

/**
 * Runs the accepted wrapper with the limits. The answer is read as bytes and cut off past
 * limits.maxAnswerBytes: max_result_bytes is checked only between blocks, and one block (an
 * arrayJoin's) can be hundreds of MB. On a server the HTTP stream is closed, which cancels the query.
 */
export async function runQuery(client: ClickHouseClient, wrapped: string, format: string, limits: QueryLimits, mode: 'chdb' | 'server'): Promise<Answer> {
  // exec, not query: the raw bytes of any format, including the Pretty/Markdown ones the client's
  // DataFormat list lacks. `format` is one of QUERY_FORMATS (routes/query.ts), never the caller's text.
  const r = await client.exec({ query: `${wrapped} SETTINGS ${settingsClause(limits, mode)} FORMAT ${format}` });
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of r.stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limits.maxAnswerBytes) {
      r.stream.destroy();
      throw new AnswerTooLarge(`the answer is larger than ${Math.round(limits.maxAnswerBytes / 1024 / 1024)} MiB: add a LIMIT, fewer columns or an aggregate`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let rows = countRows(format, text);
  const summary = mode === 'server' ? r.response_headers['x-clickhouse-summary'] : undefined;
  if (typeof summary === 'string') {
    try {
      const n = Number((JSON.parse(summary) as { result_rows?: string }).result_rows);
      if (Number.isFinite(n)) rows = n;
    } catch {
      // keep the count from the text
    }
  }
  return { text, bytes, rows };
}
