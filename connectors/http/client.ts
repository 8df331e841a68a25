// Reader of the HTTP export API (SOURCES.md): pages through each window until page * pageSize >= total,
// yields every record as a RawRecord located by URL + page + index, retries 5xx, timeouts and broken
// bodies with bounded exponential backoff, fails at once on other 4xx, and checkpoints its progress.
import { z } from 'zod';
import type { EntityName } from '../../schemas/events.ts';
import { ChisoError, InfraError, errorMessage } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { retry } from '../../lib/retry.ts';
import { FILE_LIMITS } from '../common/limits.ts';
import type { RawRecord } from '../types.ts';
import { type ExportWindow, type HttpCheckpoint, planWindows } from './checkpoint.ts';

export interface RetryPolicy {
  /** Attempts per page, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

export interface ExportApiOptions {
  baseUrl: string;
  entity: EntityName;
  token: string;
  /** Lower bound (inclusive) on the update time; absent = the checkpoint's last finished `to`, or everything. */
  from?: string;
  /** Upper bound (exclusive), ISO 8601 with offset. */
  to: string;
  pageSize: number;
  /** Absent: no resume, no progress kept (a one-off read). */
  checkpoint?: HttpCheckpoint;
  log: Logger;
  fetchTimeoutMs: number;
  retry?: RetryPolicy;
  /** Bytes of one page at most (default FILE_LIMITS.pageBytes): a larger answer fails the run. */
  maxPageBytes?: number;
  /**
   * Called before a page or a window is recorded as done in the checkpoint: the consumer makes what
   * it was handed durable first (a pipelined producer flushes), so that a resume never skips records.
   */
  beforeCheckpoint?: () => Promise<void>;
}

const pageBody = z.object({
  data: z.array(z.unknown()),
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1),
  total: z.number().int().nonnegative(),
});
type PageBody = z.infer<typeof pageBody>;

/** The URL that names a window (origin of its records and of the run): the entity endpoint + from/to. */
export function windowUrl(baseUrl: string, entity: EntityName, window: { from?: string; to: string }): string {
  const u = new URL(`${baseUrl.replace(/\/+$/, '')}/${entity}`);
  if (window.from !== undefined) u.searchParams.set('from', window.from);
  u.searchParams.set('to', window.to);
  return u.toString();
}

/** A failed attempt: retry it (retriable) or give up at once; fetchWithRetry turns it into an InfraError. */
class AttemptFailure extends ChisoError {
  override readonly name = 'AttemptFailure';
  constructor(
    message: string,
    retriable: boolean,
    readonly status?: number,
  ) {
    super(message, 'SOURCE_API_ATTEMPT', retriable, status === undefined ? {} : { status });
  }
}

/** The body as text, or its size so far once it is beyond `max` bytes (the rest is not read). */
async function boundedText(res: Response, max: number): Promise<string | { tooLarge: number }> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    return { tooLarge: declared };
  }
  if (res.body === null) return '';
  const parts: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.length;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return { tooLarge: size };
    }
    parts.push(Buffer.from(r.value));
  }
  // As res.text() does: invalid UTF-8 becomes U+FFFD, which the identifier rule then refuses in a code.
  return Buffer.concat(parts).toString('utf8');
}

async function fetchPage(url: string, opts: ExportApiOptions): Promise<PageBody> {
  let res: Response;
  let body: string | { tooLarge: number };
  const max = opts.maxPageBytes ?? FILE_LIMITS.pageBytes;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${opts.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(opts.fetchTimeoutMs),
    });
    body = await boundedText(res, max);
  } catch (e) {
    const timedOut = e instanceof DOMException && (e.name === 'TimeoutError' || e.name === 'AbortError');
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new AttemptFailure(timedOut ? `no answer within ${opts.fetchTimeoutMs} ms` : `request failed (${cause ?? errorMessage(e)})`, true);
  }
  if (typeof body !== 'string') throw new AttemptFailure(`the source API answered a page of more than ${max} bytes (${body.tooLarge} read), the limit of one page (connectors/common/limits.ts): ask for smaller pages`, false);
  const text = body;
  if (res.status === 401 || res.status === 403) {
    throw new AttemptFailure(`the source API refused the token (HTTP ${res.status})`, false, res.status);
  }
  // 408 and 429 are the server asking to come back later; every other 4xx is a request that cannot succeed.
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    throw new AttemptFailure(`the source API rejected the request (HTTP ${res.status}: ${text.slice(0, 200)})`, false, res.status);
  }
  if (res.status !== 200) throw new AttemptFailure(`the source API failed (HTTP ${res.status})`, true, res.status);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AttemptFailure(`the source API answered a body that is not JSON (${text.length} bytes)`, true);
  }
  const parsed = pageBody.safeParse(json);
  if (!parsed.success) throw new AttemptFailure(`the source API answered JSON that is not a page { data, page, pageSize, total }: ${z.prettifyError(parsed.error)}`, true);
  return parsed.data;
}

/** One page with retries: exponential backoff with jitter, bounded attempts, then an InfraError. */
function fetchWithRetry(url: string, opts: ExportApiOptions, log: Logger): Promise<PageBody> {
  const policy = opts.retry ?? DEFAULT_RETRY;
  return retry(() => fetchPage(url, opts), {
    attempts: policy.attempts,
    backoff: { initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: { min: 0.5, max: 1 } },
    isRetriable: (e) => e instanceof AttemptFailure && e.retriable,
    onRetry: ({ error, attempt, delayMs }) => {
      const e = error as AttemptFailure;
      log.warn({ url, status: e.status, attempt, retryInMs: Math.round(delayMs), reason: e.message }, 'source API page failed; retrying');
    },
    giveUp: (e, { attempt }) => {
      if (!(e instanceof AttemptFailure)) return e;
      const details = { url, status: e.status, attempt };
      if (!e.retriable) return new InfraError(`${e.message} at ${url}`, e.status === 401 || e.status === 403 ? 'SOURCE_API_AUTH' : 'SOURCE_API_REJECTED', details, { retriable: false });
      return new InfraError(`${e.message} at ${url}; gave up after ${attempt} attempts`, 'SOURCE_API_UNAVAILABLE', details, { retriable: true });
    },
  });
}

function toRaw(item: unknown, origin: RawRecord['origin'], exportedAt: string): RawRecord {
  const isObject = typeof item === 'object' && item !== null && !Array.isArray(item);
  return {
    origin,
    original: JSON.stringify(item) ?? String(item),
    fields: isObject ? (item as Record<string, unknown>) : { parseError: `expected a JSON object, found ${Array.isArray(item) ? 'an array' : typeof item}` },
    // The API's records are "as of" the window's end: a stable export time, so a re-read gives the same event ids.
    exportedAt,
  };
}

/**
 * Reads the API's records for the planned windows. Progress is checkpointed when the consumer asks
 * for the record after a page's last one (the page has been handed on), and a window when it is
 * exhausted: a consumer that stops early leaves the checkpoint at its last completed page.
 */
export async function* readExportApi(opts: ExportApiOptions): AsyncGenerator<RawRecord> {
  const log = opts.log.child({ component: 'http-export', entity: opts.entity });
  const state = opts.checkpoint?.state ?? { version: 1 as const, baseUrl: opts.baseUrl, entity: opts.entity, updatedAt: '' };
  for (const { window, startPage } of planWindows(state, { ...(opts.from !== undefined ? { from: opts.from } : {}), to: opts.to, pageSize: opts.pageSize })) {
    yield* readWindow(opts, window, startPage, log);
  }
}

async function* readWindow(opts: ExportApiOptions, window: ExportWindow, startPage: number, log: Logger): AsyncGenerator<RawRecord> {
  const uri = windowUrl(opts.baseUrl, opts.entity, window);
  const exportedAt = window.to;
  log.info({ uri, startPage, pageSize: window.pageSize }, startPage > 1 ? 'resuming export window from the checkpoint' : 'reading export window');
  for (let page = startPage; ; page++) {
    const url = new URL(uri);
    url.searchParams.set('page', String(page));
    url.searchParams.set('pageSize', String(window.pageSize));
    const body = await fetchWithRetry(url.toString(), opts, log);
    if (body.data.length > window.pageSize) {
      throw new InfraError(`the source API answered ${body.data.length} records for pageSize ${window.pageSize} at ${url.toString()}`, 'SOURCE_API_PAGING', { url: url.toString() }, { retriable: false });
    }
    const more = page * window.pageSize < body.total;
    if (body.data.length === 0 && more) {
      // Records left the window while it was read (updated meanwhile): the total is stale; read again later.
      throw new InfraError(`the source API announced ${body.total} records but page ${page} is empty at ${url.toString()}`, 'SOURCE_API_PAGING', { url: url.toString() }, { retriable: true });
    }
    for (let index = 0; index < body.data.length; index++) yield toRaw(body.data[index], { uri, page, index }, exportedAt);
    if (!more) break;
    if (opts.checkpoint) {
      await opts.beforeCheckpoint?.();
      await opts.checkpoint.pageDone(window, page);
    }
  }
  if (opts.checkpoint) {
    await opts.beforeCheckpoint?.();
    await opts.checkpoint.windowDone(window);
  }
  log.info({ uri }, 'export window read to its end');
}
