// One failure vocabulary for the whole project. Bad data is never thrown (it is a reject value);
// what is thrown is an infrastructure or usage failure that says whether retrying can help.

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

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
