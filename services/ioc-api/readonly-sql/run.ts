// Runs a query that parse.ts accepted, under the limits (limits.ts), and measures its answer.
import type { ClickHouseClient, DataFormat } from '@clickhouse/client';
import { type QueryLimits, settingsClause } from './limits.ts';

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

export async function runQuery(client: ClickHouseClient, wrapped: string, format: string, limits: QueryLimits, mode: 'chdb' | 'server'): Promise<Answer> {
  const rs = await client.query({
    query: `${wrapped} SETTINGS ${settingsClause(limits, mode)}`,
    // The client's DataFormat list lacks the Pretty/Markdown formats the server knows.
    format: format as DataFormat,
  });
  const text = await rs.text();
  const bytes = Buffer.byteLength(text);
  const summary = rs.response_headers['x-clickhouse-summary'];
  let rows = countRows(format, text);
  if (typeof summary === 'string') {
    try {
      const r = Number((JSON.parse(summary) as { result_rows?: string }).result_rows);
      if (Number.isFinite(r)) rows = r;
    } catch {
      // keep the count from the text
    }
  }
  return { text, bytes, rows };
}
