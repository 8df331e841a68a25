// Which ClickHouse failures are the data's fault: an insert refused for what a row holds (a value
// that does not parse as its column's type, a constraint it breaks) fails again however often it is
// retried, so the sink isolates the rows that cause it (isolate.ts) instead. Everything else
// (connection lost, timeouts, memory, a read-only disk, a missing table) is infrastructure: retried
// with backoff, the same rows, until it heals.
import { ChisoError, errorMessage } from '../../lib/errors.ts';

/** ClickHouse error codes that name a row's content (src/Common/ErrorCodes.cpp). */
const DATA_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  469, // VIOLATED_CONSTRAINT
]);

/** The ClickHouse error code of a failure: the server client's `code`, or chDB's "Code: N." text. */
export function clickhouseCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const m = /\bCode: (\d+)\. DB::Exception/.exec(errorMessage(e));
  return m ? Number(m[1]) : undefined;
}

export function isDataRefusal(e: unknown): boolean {
  const code = clickhouseCode(e);
  return code !== undefined && DATA_CODES.has(code);
}

/** An insert ClickHouse refused for the rows it holds: retrying the same rows cannot help. */
export class DataRefused extends ChisoError {
  override readonly name = 'DataRefused';
  constructor(
    readonly table: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`ClickHouse refused the rows of an insert into ${table}: ${reason}`, 'DATA_REFUSED', false, { table }, options);
  }
}

/** The first line of a ClickHouse message, without its row dump: enough for a reject's reason. */
export function refusalReason(e: unknown): string {
  const text = errorMessage(e);
  return (text.split('\n')[0] ?? text).replace(/\s*\(at row \d+\)\s*:?\s*$/, '').slice(0, 1000);
}
