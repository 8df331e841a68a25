// Sink throughput: canonical events produced to Kafka -> queryable rows in raw_events (and the
// latest-state tables), end to end, next to two baselines measured in the same run on the same data:
// producing the same bytes with a bare kafkajs producer, and inserting the same NDJSON straight
// into chDB. A private broker on its own data directory and ports; nothing is asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { migrate } from '../infra/clickhouse/migrate.ts';
import { openStore, select } from '../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../infra/kafka/client.ts';
import { startBroker, stopBroker } from '../infra/kafka/broker.ts';
import { loadConfig } from '../schemas/config.ts';
import { topics } from '../schemas/topics.ts';
import { createLogger } from '../services/lib/logger.ts';
import { createSink } from '../services/sink/index.ts';
import { mixedEvents, testKafka } from '../test/integration/sink-fixtures.ts';
import { freePortRun } from '../test/support/ports.ts';
import type { Producer } from 'kafkajs';
import type { SourceId } from '../schemas/events.ts';
import type { Bench } from './types.ts';

const EVENTS = 200_000;

const bench: Bench = {
  name: 'sink',
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'chiso-bench-sink-'));
    const port = await freePortRun(2);
    const { KAFKA_BROKERS: _b, CLICKHOUSE_URL: _c, ...env } = process.env;
    const cfg = loadConfig({ ...env, CHISO_DATA_DIR: dataDir, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), CLICKHOUSE_DATABASE: 'bench', CHISO_LOG_LEVEL: 'error' });
    const log = createLogger('error');
    await startBroker(cfg, () => undefined);
    const store = await openStore(cfg.clickhouse);
    try {
      await migrate(store, log);
      // The wire form only (the event objects are dropped): a large live heap would slow the sink's GC.
      const messages = wire(EVENTS, 'BENCH');
      const lines = messages.map((m) => m.value);
      const kafka = testKafka(cfg.kafka.brokers);

      // Baseline 1: the same bytes through a bare kafkajs producer (topics of their own).
      await ensureTopics(createKafka(cfg, log, 'bench'), 'base.');
      const bare = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await bare.connect();
      const tb = topics('base.');
      let t0 = performance.now();
      await send(bare, messages, (s) => tb.source(s));
      const produceRate = messages.length / ((performance.now() - t0) / 1000);
      await bare.disconnect();

      // Baseline 2: the same NDJSON straight into chDB (envelope columns, unknown fields skipped).
      await store.client.command({
        query: `CREATE TABLE ${store.db}.bench_ndjson (event_id String, source LowCardinality(String), entity LowCardinality(String), record_id String, unit_code LowCardinality(String), updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'), run_id String) ENGINE = MergeTree ORDER BY (source, entity, event_id)`,
      });
      t0 = performance.now();
      for (let i = 0; i < lines.length; i += 25_000) {
        const r = await store.client.exec({
          query: `INSERT INTO ${store.db}.bench_ndjson SETTINGS input_format_skip_unknown_fields = 1, date_time_input_format = 'best_effort', insert_deduplication_token = 'b${i}' FORMAT JSONEachRow`,
          values: Readable.from([lines.slice(i, i + 25_000).join('\n')]),
        });
        r.stream.destroy();
      }
      const chdbRate = lines.length / ((performance.now() - t0) / 1000);

      // End to end: the sink running, the events produced, until every one is queryable.
      const sink = createSink({ cfg, store, log, groupId: 'bench-sink' });
      await sink.start();
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const tt = topics('');
      // How busy the one JS thread is (producer + consumer + sink); chDB works on its own threads.
      let elu = performance.eventLoopUtilization();
      t0 = performance.now();
      await send(producer, messages, (s) => tt.source(s));
      const count = async () => Number((await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.raw_events`))[0]?.c ?? 0);
      const deadline = Date.now() + 600_000;
      while ((await count()) < messages.length && Date.now() < deadline) await sleep(200);
      const e2eMs = performance.now() - t0;
      const e2eRate = messages.length / (e2eMs / 1000);
      const e2eElu = performance.eventLoopUtilization(elu).utilization;
      const written = await count();
      await producer.disconnect();
      const m = sink.metrics();
      await sink.stop();

      // The sink alone on a backlog: the same kind of events produced first (other ids), then drained.
      const backlog = wire(EVENTS, 'DRAIN');
      await ensureTopics(createKafka(cfg, log, 'bench'), 'drain.');
      const p2 = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await p2.connect();
      const td = topics('drain.');
      await send(p2, backlog, (s) => td.source(s));
      await p2.disconnect();
      const drainCfg = { ...cfg, kafka: { ...cfg.kafka, topicPrefix: 'drain.' } };
      const drainer = createSink({ cfg: drainCfg, store, log, groupId: 'bench-drain' });
      elu = performance.eventLoopUtilization();
      t0 = performance.now();
      await drainer.start();
      const drained = async () => Number((await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.raw_events WHERE startsWith(topic, 'drain.')`))[0]?.c ?? 0);
      while ((await drained()) < backlog.length && Date.now() < deadline + 600_000) await sleep(200);
      const drainMs = performance.now() - t0;
      const drainRate = backlog.length / (drainMs / 1000);
      const drainElu = performance.eventLoopUtilization(elu).utilization;
      const dm = drainer.metrics();
      await drainer.stop();

      log.error({ metrics: m }, 'sink metrics (end to end)');
      // Where the wall time goes: flushes (known-id check + inserts, chDB) vs the JS thread's busy share.
      const split = (x: Record<string, number>, ms: number, elu: number) =>
        `flushes ${x.sink_flushes_total}, flush wall ${pct(x.sink_flush_ms_sum, ms)} of the run (known-id check ${pct(x.sink_dedup_ms_sum, ms)}), JS thread busy ${(elu * 100).toFixed(0)} %`;
      const notes = `${EVENTS} events; ${written} queryable; ${split(m, e2eMs, e2eElu)}`;
      return [
        { figure: 'sink end to end (produce -> queryable rows)', value: e2eRate, unit: 'events/s', baseline: 'bare kafkajs producer, same bytes', baselineValue: produceRate, target: '>= 25000', notes },
        { figure: 'sink end to end (produce -> queryable rows)', value: e2eRate, unit: 'events/s', baseline: 'NDJSON straight into chDB', baselineValue: chdbRate, target: '>= 25000', notes },
        { figure: 'sink alone, draining a backlog', value: drainRate, unit: 'events/s', baseline: 'NDJSON straight into chDB', baselineValue: chdbRate, notes: `${EVENTS} events already on Kafka; ${split(dm, drainMs, drainElu)}` },
      ];
    } finally {
      await store.close();
      await stopBroker(cfg);
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

function pct(part: number | undefined, whole: number): string {
  return `${(((part ?? 0) / whole) * 100).toFixed(0)} %`;
}

interface WireMessage {
  source: SourceId;
  key: string;
  value: string;
}

function wire(n: number, prefix: string): WireMessage[] {
  return mixedEvents(n, prefix).map((e) => ({ source: e.source, key: e.record_id, value: JSON.stringify(e) }));
}

async function send(producer: Producer, messages: WireMessage[], topicOf: (s: SourceId) => string): Promise<void> {
  for (let i = 0; i < messages.length; i += 2000) {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const m of messages.slice(i, i + 2000)) {
      const t = topicOf(m.source);
      const list = byTopic.get(t) ?? [];
      list.push({ key: m.key, value: m.value });
      byTopic.set(t, list);
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
  }
}

export default bench;
