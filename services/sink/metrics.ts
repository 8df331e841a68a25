// The sink's in-process metrics, named with their unit: counters, gauges and fixed-bucket histograms,
// flattened by snapshot() into Prometheus-style names that the lead can expose over HTTP.

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
  insertErrors = 0;
  flushes = 0;
  lag = 0;
  readonly insertMs = new Histogram([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);
  readonly batchRows = new Histogram([1, 10, 100, 1000, 5000, 10000, 25000, 50000]);
  /** A whole flush, known-id check and every insert (wall time: the inserts of a flush overlap). */
  readonly flushMs = new Histogram([10, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);
  /** The known-id check of a flush alone. */
  readonly dedupMs = new Histogram([5, 10, 25, 50, 100, 250, 500, 1000, 2500]);

  snapshot(): Record<string, number> {
    return {
      sink_rows_written_total: this.rowsWritten,
      sink_events_written_total: this.eventsWritten,
      sink_duplicates_dropped_total: this.duplicatesDropped,
      sink_rejects_total: this.rejects,
      sink_poison_messages_total: this.poison,
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
