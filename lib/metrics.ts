// The process's one Prometheus registry. Each part defines its metrics beside its own code (connectors,
// sink, worker, HTTP) and registers them here; GET /metrics renders this registry.
import { collectDefaultMetrics, Registry } from 'prom-client';

export const metricsRegistry = new Registry();

let processMetrics = false;

/** CPU, memory, event-loop lag and GC of this process (prom-client's defaults); idempotent. */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'chiso_' });
}

/** Seconds since `t0` (a performance.now() reading): Prometheus measures durations in seconds. */
export function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}
