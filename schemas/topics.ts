// Kafka topic names and partition counts: one topic per source (key = the source record id, so one
// record's events stay ordered), the rejects topic and the ingestion-run ledger topic.
import type { SourceId } from './events.ts';

export const SINK_GROUP = 'chiso-sink';

export interface Topics {
  source(source: SourceId): string;
  rejects: string;
  runs: string;
  all: string[];
}

export function topics(prefix = ''): Topics {
  const source = (s: SourceId) => `${prefix}chiso.${s}.v1`;
  const rejects = `${prefix}chiso.rejects.v1`;
  const runs = `${prefix}chiso.runs.v1`;
  return {
    source,
    rejects,
    runs,
    all: [source('one-stop-shop'), source('document-management'), source('public-service-portal'), rejects, runs],
  };
}

export const PARTITIONS = { source: 6, rejects: 3, runs: 3 } as const;
