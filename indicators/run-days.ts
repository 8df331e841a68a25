// The calendar days (Asia/Ho_Chi_Minh) that the records of some ingestion runs count on, read from
// their raw events: what a replay recomputes and what `chiso runs show` lists. One SQL text, used by
// the replay activity (bound parameter) and by the CLI through the read-only query endpoint (literal).
// A replay writes the same versions again: the days of the runs' own records are what it changes
// (a catalogue entry's validity is read as its two ends here, not its every day).
import { payloadDayTextsSql } from './counted-days.ts';

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * SELECT day (YYYY-MM-DD) ... for the runs in `runs`: either a ClickHouse parameter reference such
 * as `{runs:Array(String)}` or a list of run ids (inlined as literals for the read-only endpoint).
 */
export function runDaysSql(db: string, runs: string | readonly string[]): string {
  const list = typeof runs === 'string' ? runs : `[${runs.map(quote).join(', ')}]`;
  return `SELECT DISTINCT toString(toDate(parseDateTime64BestEffortOrNull(t, 3, 'Asia/Ho_Chi_Minh'), 'Asia/Ho_Chi_Minh')) AS day
FROM (SELECT arrayJoin(${payloadDayTextsSql()}) AS t FROM ${db}.raw_events WHERE has(${list}, run_id))
WHERE t != '' AND parseDateTime64BestEffortOrNull(t, 3, 'Asia/Ho_Chi_Minh') IS NOT NULL
ORDER BY day`;
}
