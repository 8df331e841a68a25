// The error of a file that cannot be read at all (its run ends `failed`, not retried: code
// UNREADABLE_FILE, or FILE_LIMIT for FileLimitError, never retriable).
import { ChisoError } from '../../../lib/errors.ts';

export class UnreadableFileError extends ChisoError {
  override readonly name: string = 'UnreadableFileError';
  constructor(message: string, code = 'UNREADABLE_FILE') {
    super(message, code, false);
  }
}
