// Health of the parts the all-in-one process depends on: each part ok or not, with where and version.
import { kafkaReady } from '../../infra/kafka/broker.ts';
import { temporalReady } from '../../infra/temporal/server.ts';
import { serverVersion, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import type { Health, Service } from '../lib/service.ts';

export interface HealthReport {
  ok: boolean;
  parts: Record<string, Health>;
}

export async function healthReport(cfg: Config, store: Store, services: Service[]): Promise<HealthReport> {
  const [kafka, temporal, clickhouse, ...rest] = await Promise.all([
    kafkaReady(cfg.kafka.brokers).then((ok) => ({ ok, where: cfg.kafka.brokers.join(',') })),
    temporalReady(cfg.temporal.address).then((ok) => ({ ok, where: cfg.temporal.address, namespace: cfg.temporal.namespace })),
    serverVersion(store)
      .then((version) => ({ ok: true, where: store.where, mode: store.mode, version }))
      .catch((e: unknown) => ({ ok: false, where: store.where, mode: store.mode, detail: String(e) })),
    ...services.map((s) => s.health().catch((e: unknown) => ({ ok: false, detail: String(e) }))),
  ]);
  const parts: Record<string, Health> = { kafka, temporal, clickhouse };
  services.forEach((s, i) => {
    parts[s.name] = rest[i] ?? { ok: false };
  });
  return { ok: Object.values(parts).every((p) => p.ok), parts };
}
