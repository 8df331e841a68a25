// Who runs the endpoint's queries. chDB: the store's own connection (one process, no users; the
// statement's SETTINGS make it read-only). A server: a client of its own as CLICKHOUSE_QUERY_USER,
// a user with SELECT on chiso's readable tables only (infra/clickhouse/server/users.d/chiso-readers.xml),
// so that the server refuses what the checks might miss.
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import type { Store } from '../../../infra/clickhouse/store.ts';
import type { Config } from '../../../schemas/config.ts';

export type QueryClient = { ok: true; client: ClickHouseClient; close(): Promise<void> } | { ok: false; reason: string };

export function queryClient(cfg: Config['clickhouse'], store: Store): QueryClient {
  if (store.mode === 'chdb') return { ok: true, client: store.client, close: async () => {} };
  if (!cfg.query) {
    return { ok: false, reason: 'the SQL endpoint needs a read-only ClickHouse user on a server: set CLICKHOUSE_QUERY_USER and CLICKHOUSE_QUERY_PASSWORD (docs/sql-query.md)' };
  }
  const client = createClient({ url: cfg.url, username: cfg.query.user, password: cfg.query.password, request_timeout: 60_000 });
  return { ok: true, client, close: () => client.close() };
}
