// The error of a file that cannot be read at all (its run ends `failed`, not retried).
export class UnreadableFileError extends Error {
  override readonly name: string = 'UnreadableFileError';
}
