// chDB's @clickhouse/client adapter applies per-call `clickhouse_settings` as a session-wide SET that
// outlives the call: an insert_deduplication_token would silently drop every later insert of the
// process into that table, and `readonly` would freeze the store. This guard refuses such settings
// on the chDB connection, so code puts them in the statement's own SETTINGS clause instead.
import { ChisoError } from '../../lib/errors.ts';

// Settings that are harmless when sticky: dropped by the adapter (HTTP-only) or set identically on
// every call by openStore.
const HARMLESS = new Set([
  'date_time_input_format',
  'default_format',
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_response_buffer_size',
  'http_headers_progress_interval_ms',
  'enable_http_compression',
]);

const GUARDED = new Set(['query', 'command', 'exec', 'insert']);

/** A statement that would leave a setting on chDB's shared session: a mistake in chiso's code, so retrying cannot help. */
export class StickySettingError extends ChisoError {
  override readonly name = 'StickySettingError';
  constructor(message: string) {
    super(message, 'STICKY_SETTING', false);
  }
}

export function guardStickySettings<T extends object>(connection: T): T {
  return new Proxy(connection, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !GUARDED.has(prop) || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (params: { clickhouse_settings?: Record<string, unknown> }, ...rest: unknown[]) => {
        const bad = Object.keys(params?.clickhouse_settings ?? {}).filter((k) => !HARMLESS.has(k) && params.clickhouse_settings?.[k] !== undefined);
        if (bad.length > 0) {
          return Promise.reject(
            new StickySettingError(
              `chDB would keep ${bad.join(', ')} for the rest of the session: put ${bad.length > 1 ? 'them' : 'it'} in the statement's SETTINGS clause instead of clickhouse_settings`,
            ),
          );
        }
        return (value as (...a: unknown[]) => unknown).call(target, params, ...rest);
      };
    },
  });
}
