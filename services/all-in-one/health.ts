// Readiness of the all-in-one process for the roles it runs (CHISO_ROLES): the store migrated and
// reachable (every role), the broker reachable and the sink's consume loop moving (sink), the worker
// polling Temporal (worker). Reasons are short words for anyone; details (where, versions, lag per
// partition) are for operator tokens only (http.ts decides).
import { pendingMigrations } from '../../infra/clickhouse/migrate.ts';
import { serverVersion, type Store } from '../../infra/clickhouse/store.ts';
import { kafkaReady } from '../../infra/kafka/broker.ts';
import { temporalReady } from '../../infra/temporal/server.ts';
import type { Config } from '../../schemas/config.ts';
import type { Health, Service } from '../../lib/service.ts';

export interface Readiness {
  status: 'ready' | 'not_ready';
  /** Why not ready, in a few words each: no addresses, paths or error texts. */
  reasons: string[];
  details: {
    roles: Config['roles'];
    pendingMigrations: string[];
    parts: Record<string, Health>;
  };
}

async function storeState(store: Store): Promise<{ health: Health; pending: string[]; reason?: string }> {
  const at = { where: store.where, mode: store.mode };
  try {
    const [version, pending] = await Promise.all([serverVersion(store), pendingMigrations(store)]);
    return {
      health: { ok: pending.length === 0, ...at, version, ...(pending.length ? { detail: `${pending.length} migrations pending` } : {}) },
      pending,
      ...(pending.length ? { reason: `store not migrated (${pending.length} pending)` } : {}),
    };
  } catch (e) {
    return { health: { ok: false, ...at, detail: String(e) }, pending: [], reason: 'store unreachable' };
  }
}

export async function readiness(cfg: Config, store: Store, services: Service[]): Promise<Readiness> {
  const roles = cfg.roles;
  const [kafka, temporal, ch, ...rest] = await Promise.all([
    kafkaReady(cfg.kafka.brokers).then((ok): Health => ({ ok, where: cfg.kafka.brokers.join(',') })),
    temporalReady(cfg.temporal.address).then((ok): Health => ({ ok, where: cfg.temporal.address, namespace: cfg.temporal.namespace })),
    storeState(store),
    ...services.map((s) => s.health().catch((e: unknown): Health => ({ ok: false, detail: String(e), reason: 'health check failed' }))),
  ]);
  const parts: Record<string, Health> = { kafka, temporal, clickhouse: ch.health };
  services.forEach((s, i) => {
    parts[s.name] = rest[i] ?? { ok: false };
  });

  const reasons: string[] = [];
  if (ch.reason) reasons.push(ch.reason);
  if (roles.includes('sink') && !kafka.ok) reasons.push('kafka unreachable');
  for (const role of ['sink', 'worker'] as const) {
    if (!roles.includes(role)) continue;
    const h = parts[role];
    if (!h) reasons.push(`${role}: not started`);
    else if (!h.ok) reasons.push(`${role}: ${typeof h.reason === 'string' ? h.reason : 'not ready'}`);
  }
  return { status: reasons.length === 0 ? 'ready' : 'not_ready', reasons, details: { roles, pendingMigrations: ch.pending, parts } };
}
