// The limits on what a connector reads, in one place: an export is not trusted to be small or
// honest. Beyond one of them the whole file is refused (UnreadableFileError: its run ends `failed`
// with the message, and nothing more of the file is read); the limits on single fields are those of
// schemas/limits.ts, checked per record (a reject naming the field).
import { UnreadableFileError } from './readers/errors.ts';

export interface FileLimits {
  /** Bytes of a CSV, JSON or NDJSON export file. */
  fileBytes: number;
  /** Bytes of one record: an NDJSON line, a CSV record, an element of a JSON export's array. */
  recordBytes: number;
  /** Bytes of an .xlsx file (compressed). */
  xlsxFileBytes: number;
  /** Bytes of an .xlsx's parts once uncompressed, all together (declared in the zip and counted while inflating). */
  xlsxUncompressedBytes: number;
  /** Parts (zip entries) of an .xlsx. */
  xlsxEntries: number;
  /** Entries of an .xlsx's shared-string table. */
  xlsxSharedStrings: number;
  /** Rows of one sheet (Excel's own maximum is 1,048,576). */
  xlsxRows: number;
  /** Cells of one row (Excel's own maximum is 16,384 columns). */
  xlsxColumns: number;
  /** Bytes of one page answered by a source's HTTP export API. */
  pageBytes: number;
}

const MiB = 1 << 20;

export const FILE_LIMITS: FileLimits = {
  fileBytes: 4096 * MiB,
  recordBytes: 16 * MiB,
  xlsxFileBytes: 256 * MiB,
  xlsxUncompressedBytes: 2048 * MiB,
  xlsxEntries: 10_000,
  xlsxSharedStrings: 2_000_000,
  xlsxRows: 1_048_576,
  xlsxColumns: 16_384,
  pageBytes: 64 * MiB,
};

/** A file beyond one of the limits: the message says which, with the figures. */
export class FileLimitError extends UnreadableFileError {
  override readonly name: string = 'FileLimitError';
  constructor(message: string) {
    super(message, 'FILE_LIMIT');
  }
}

export function tooLarge(path: string, what: string, value: number, limit: number, unit = 'bytes'): FileLimitError {
  return new FileLimitError(`${path}: refused, ${what} ${formatCount(value, unit)} exceeds the limit of ${formatCount(limit, unit)} (connectors/common/limits.ts)`);
}

function formatCount(n: number, unit: string): string {
  if (unit === 'bytes' && n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${n.toLocaleString('en-US')} ${unit}`;
}
