// The sink's metrics, named with their unit. Per sink: plain counters and fixed-bucket histograms
// (snapshot(), read by health() and the tests); per process: the same figures on prom-client in the
// process's registry (GET /metrics), updated once per flush, never per message, and the consumer lag
// per partition, measured when Prometheus scrapes.
import { Counter, Gauge, Histogram as PromHistogram } from 'prom-client';
import { metricsRegistry } from '../../lib/metrics.ts';
import type { FlushResult } from './write.ts';

const registers = [metricsRegistry];
const prom = {
  flushes: new Counter({ name: 'chiso_sink_flushes_total', help: 'Flushes written to ClickHouse', registers }),
  rows: new Counter({ name: 'chiso_sink_rows_written_total', help: 'Rows inserted into ClickHouse, all tables', registers }),
  events: new Counter({ name: 'chiso_sink_events_written_total', help: 'Canonical events written to raw_events', registers }),
  duplicates: new Counter({ name: 'chiso_sink_duplicates_dropped_total', help: 'Events dropped as already written (redelivery, replay)', registers }),
  rejects: new Counter({ name: 'chiso_sink_rejects_total', help: 'Reject rows written', registers }),
  poison: new Counter({ name: 'chiso_sink_poison_messages_total', help: 'Messages that could not be decoded, written as rejects', registers }),
  refused: new Counter({ name: 'chiso_sink_refused_records_total', help: 'Records ClickHouse refused for their content, isolated and written as rejects', registers }),
  insertErrors: new Counter({ name: 'chiso_sink_insert_errors_total', help: 'Failed flush attempts (retried)', registers }),
  batchRows: new PromHistogram({ name: 'chiso_sink_batch_rows', help: 'Messages per flush', buckets: [1, 10, 100, 1000, 5000, 10000, 25000, 50000], registers }),
  insertSeconds: new PromHistogram({ name: 'chiso_sink_insert_duration_seconds', help: 'Duration of one ClickHouse insert', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
  flushSeconds: new PromHistogram({ name: 'chiso_sink_flush_duration_seconds', help: 'Duration of a whole flush (known-id check and inserts)', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
};

/** Lag per "topic:partition" of each running sink of this process (usually one). */
const lagSources = new Set<() => Promise<Record<string, number>>>();

new Gauge({
  name: 'chiso_sink_consumer_lag_messages',
  help: 'Messages behind the high watermark, per topic partition, for the sink consumer group',
  labelNames: ['topic', 'partition'],
  registers,
  async collect() {
    this.reset();
    const sum = new Map<string, number>();
    for (const source of lagSources) {
      for (const [k, v] of Object.entries(await source())) sum.set(k, (sum.get(k) ?? 0) + v);
    }
    for (const [k, v] of sum) {
      const at = k.lastIndexOf(':');
      this.set({ topic: k.slice(0, at), partition: k.slice(at + 1) }, v);
    }
  },
});

/** A running sink reports its lag to the gauge; the returned function withdraws it. */
export function reportLag(source: () => Promise<Record<string, number>>): () => void {
  lagSources.add(source);
  return () => lagSources.delete(source);
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  private max = 0;
  constructor(private readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    if (v > this.max) this.max = v;
    this.buckets.forEach((b, i) => {
      if (v <= b) this.counts[i] = (this.counts[i] ?? 0) + 1;
    });
  }
  snapshot(name: string): Record<string, number> {
    const out: Record<string, number> = { [`${name}_count`]: this.count, [`${name}_sum`]: this.sum, [`${name}_max`]: this.max };
    this.buckets.forEach((b, i) => {
      out[`${name}_bucket{le="${b}"}`] = this.counts[i] ?? 0;
    });
    out[`${name}_bucket{le="+Inf"}`] = this.count;
    return out;
  }
}

export class SinkMetrics {
  rowsWritten = 0;
  eventsWritten = 0;
  duplicatesDropped = 0;
  rejects = 0;
  poison = 0;
  refused = 0;
  insertErrors = 0;
  flushes = 0;
  lag = 0;
  readonly insertMs = new Histogram([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);
  readonly batchRows = new Histogram([1, 10, 100, 1000, 5000, 10000, 25000, 50000]);
  /** A whole flush, known-id check and every insert (wall time: the inserts of a flush overlap). */
  readonly flushMs = new Histogram([10, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);
  /** The known-id check of a flush alone. */
  readonly dedupMs = new Histogram([5, 10, 25, 50, 100, 250, 500, 1000, 2500]);

  /** One successful flush of `batchRows` messages. */
  recordFlush(r: FlushResult, batchRows: number, flushMs: number): void {
    this.flushes++;
    this.rowsWritten += r.rowsWritten;
    this.eventsWritten += r.eventsWritten;
    this.duplicatesDropped += r.duplicatesDropped;
    this.rejects += r.rejects;
    this.poison += r.poison;
    this.refused += r.refused;
    this.flushMs.observe(flushMs);
    this.batchRows.observe(batchRows);
    for (const ms of r.insertMs) this.insertMs.observe(ms);
    this.dedupMs.observe(r.dedupMs);
    prom.flushes.inc();
    prom.rows.inc(r.rowsWritten);
    prom.events.inc(r.eventsWritten);
    prom.duplicates.inc(r.duplicatesDropped);
    prom.rejects.inc(r.rejects);
    prom.poison.inc(r.poison);
    prom.refused.inc(r.refused);
    prom.batchRows.observe(batchRows);
    prom.flushSeconds.observe(flushMs / 1000);
    for (const ms of r.insertMs) prom.insertSeconds.observe(ms / 1000);
  }

  recordInsertError(): void {
    this.insertErrors++;
    prom.insertErrors.inc();
  }

  snapshot(): Record<string, number> {
    return {
      sink_rows_written_total: this.rowsWritten,
      sink_events_written_total: this.eventsWritten,
      sink_duplicates_dropped_total: this.duplicatesDropped,
      sink_rejects_total: this.rejects,
      sink_poison_messages_total: this.poison,
      sink_refused_records_total: this.refused,
      sink_insert_errors_total: this.insertErrors,
      sink_flushes_total: this.flushes,
      sink_lag_messages: this.lag,
      ...this.insertMs.snapshot('sink_insert_ms'),
      ...this.batchRows.snapshot('sink_batch_rows'),
      ...this.flushMs.snapshot('sink_flush_ms'),
      ...this.dedupMs.snapshot('sink_dedup_ms'),
    };
  }
}
