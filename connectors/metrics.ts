// The connectors' counters: records read, accepted and rejected per source and entity. runIngestion
// adds to them in steps (every progress tick and at the end), not per record.
import { Counter } from 'prom-client';
import type { EntityName, SourceId } from '../schemas/events.ts';
import { metricsRegistry } from '../lib/metrics.ts';

const labelNames = ['source', 'entity'] as const;

const read = new Counter({ name: 'chiso_ingest_records_read_total', help: 'Records read from source exports', labelNames, registers: [metricsRegistry] });
const accepted = new Counter({ name: 'chiso_ingest_records_accepted_total', help: 'Records mapped to canonical events and produced', labelNames, registers: [metricsRegistry] });
const rejected = new Counter({ name: 'chiso_ingest_records_rejected_total', help: 'Records rejected (sent to the rejects topic)', labelNames, registers: [metricsRegistry] });
const runs = new Counter({ name: 'chiso_ingest_runs_total', help: 'Ingestion runs finished, by status', labelNames: [...labelNames, 'status'], registers: [metricsRegistry] });

export type Counts = { read: number; accepted: number; rejected: number };

/** A run's view of the counters: add(counts) publishes what changed since the last call. */
export function runCounters(source: SourceId, entity: EntityName): { add(c: Counts): void; finished(status: string): void } {
  const labels = { source, entity };
  const r = read.labels(labels);
  const a = accepted.labels(labels);
  const j = rejected.labels(labels);
  const seen: Counts = { read: 0, accepted: 0, rejected: 0 };
  return {
    add(c) {
      if (c.read > seen.read) r.inc(c.read - seen.read);
      if (c.accepted > seen.accepted) a.inc(c.accepted - seen.accepted);
      if (c.rejected > seen.rejected) j.inc(c.rejected - seen.rejected);
      Object.assign(seen, c);
    },
    finished(status) {
      runs.inc({ ...labels, status });
    },
  };
}
