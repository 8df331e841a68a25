// One failure vocabulary for the whole project. Bad data is never thrown (it is a reject value);
// what is thrown is a ChisoError: a stable UPPER_SNAKE `code` (an ApplicationFailure's type in
// Temporal, a run's failure code in the ledger) and whether retrying the same thing can help
// (`retriable`: infrastructure yes; bad usage, bad configuration, a file or rows that cannot be
// taken no). Every error class of chiso extends it, here or next to the code that throws it.

export interface ErrorDetails {
  [key: string]: unknown;
}

export class ChisoError extends Error {
  override readonly name: string = 'ChisoError';
  constructor(
    message: string,
    readonly code: string,
    readonly retriable: boolean,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A service (Kafka, Temporal, ClickHouse, a source API) is unreachable or failed: retrying may help. */
export class InfraError extends ChisoError {
  override readonly name = 'InfraError';
  constructor(message: string, code: string, details: ErrorDetails = {}, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, code, options?.retriable ?? true, details, options);
  }
}

/** A tool the local stack needs (java, mvn, go) is missing or too old; the message says what to install. */
export class ToolMissingError extends ChisoError {
  override readonly name = 'ToolMissingError';
  constructor(message: string, tool: string) {
    super(message, 'TOOL_MISSING', false, { tool });
  }
}

/** A bad command-line argument or request: retrying the same thing cannot help. */
export class UsageError extends ChisoError {
  override readonly name = 'UsageError';
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, 'USAGE', false, details);
  }
}

/** The environment (or a secret it names) is missing or malformed: the message names each variable and the expected form. */
export class ConfigError extends ChisoError {
  override readonly name = 'ConfigError';
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, 'CONFIG', false, details);
  }
}

/** The message of anything thrown (an Error's message, else its text). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
