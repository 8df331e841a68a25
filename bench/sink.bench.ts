// Sink throughput: NDJSON files of canonical events -> Kafka (a producer process of its own, as a
// connector is) -> the sink (in this process, as in the all-in-one stack) -> queryable rows in
// raw_events and the latest-state tables, end to end, next to two baselines measured in the same run
// on the same data: producing the same bytes with a bare kafkajs producer, and inserting the same
// NDJSON straight into chDB. A private broker on its own data directory and ports; nothing is asserted.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { migrate } from '../infra/clickhouse/migrate.ts';
import { APP_NODE_FLAGS } from '../infra/node-flags.ts';
import { openStore, select } from '../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../infra/kafka/client.ts';
import { startBroker, stopBroker } from '../infra/kafka/broker.ts';
import { loadConfig } from '../schemas/config.ts';
import { createLogger } from '../lib/logger.ts';
import { createSink } from '../services/sink/index.ts';
import { mixedEvents } from '../test/integration/sink-fixtures.ts';
import { freePortRun } from '../test/support/ports.ts';
import type { CanonicalEvent, SourceId } from '../schemas/events.ts';
import type { Bench } from './types.ts';

const EVENTS = 200_000;
const ROUNDS = 3;
const PRODUCER = fileURLToPath(new URL('./produce-files.ts', import.meta.url));

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
      // The export: NDJSON files of canonical events on disk, one per source (the event objects are
      // dropped: a large live heap would slow the sink's GC).
      const files = writeExport(dataDir, 'export', mixedEvents(EVENTS, 'BENCH'));

      // Baseline 1: the same bytes through a bare kafkajs producer (topics of their own), in its own process.
      await ensureTopics(createKafka(cfg, log, 'bench'), 'base.');
      const produceRate = EVENTS / ((await produceFiles(cfg.kafka.brokers, 'base.', files).done).ms / 1000);

      // End to end: the sink running in this process (as in the all-in-one stack), the files produced
      // by the producer process, until every event is a queryable row. ROUNDS exports of EVENTS new
      // events each, one after the other into the same tables (each round's known-id checks read
      // what the rounds before wrote); the figure is the median round.
      const exports = [files, ...Array.from({ length: ROUNDS - 1 }, (_, r) => writeExport(dataDir, `export${r + 1}`, mixedEvents(EVENTS, `BENCH${r + 1}`)))];
      const sink = createSink({ cfg, store, log, groupId: 'bench-sink' });
      await sink.start();
      const count = async () => Number((await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.raw_events`))[0]?.c ?? 0);
      const deadline = Date.now() + 600_000;
      const rounds: { rate: number; ms: number; producedMs: number }[] = [];
      let e2eMs = 0;
      // How busy this process's JS thread is over the rounds (consumer + sink); chDB works on its own threads.
      const firstElu = performance.eventLoopUtilization();
      for (const [r, roundFiles] of exports.entries()) {
        // The clock starts when the producer process reads the files (its start-up is not the pipeline's).
        const producing = produceFiles(cfg.kafka.brokers, '', roundFiles);
        await producing.reading;
        const t0 = performance.now();
        while ((await count()) < (r + 1) * EVENTS && Date.now() < deadline) await sleep(100);
        const ms = performance.now() - t0;
        e2eMs += ms;
        rounds.push({ rate: EVENTS / (ms / 1000), ms, producedMs: (await producing.done).ms });
      }
      const e2eElu = performance.eventLoopUtilization(firstElu).utilization;
      const written = await count();
      const m = sink.metrics();
      await sink.stop();
      const e2eRate = [...rounds].sort((x, y) => x.rate - y.rate)[Math.floor(ROUNDS / 2)]?.rate ?? Number.NaN;

      // Baseline 2: the same NDJSON straight into chDB (envelope columns, unknown fields skipped).
      await store.client.command({
        query: `CREATE TABLE ${store.db}.bench_ndjson (event_id String, source LowCardinality(String), entity LowCardinality(String), record_id String, unit_code LowCardinality(String), updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'), run_id String) ENGINE = MergeTree ORDER BY (source, entity, event_id)`,
      });
      const lines = [...files.values()].flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== ''));
      const t0 = performance.now();
      for (let i = 0; i < lines.length; i += 25_000) {
        const r = await store.client.exec({
          query: `INSERT INTO ${store.db}.bench_ndjson SETTINGS input_format_skip_unknown_fields = 1, date_time_input_format = 'best_effort', insert_deduplication_token = 'b${i}' FORMAT JSONEachRow`,
          values: Readable.from([lines.slice(i, i + 25_000).join('\n')]),
        });
        r.stream.destroy();
      }
      const chdbRate = lines.length / ((performance.now() - t0) / 1000);
      lines.length = 0;

      // Where the wall time goes: flushes (known-id check + inserts, chDB) vs the JS thread's busy share.
      const split = (x: Record<string, number>, ms: number, elu: number) =>
        `flushes ${x.sink_flushes_total}, flush wall ${pct(x.sink_flush_ms_sum, ms)} of the run (known-id check ${pct(x.sink_dedup_ms_sum, ms)}), JS thread busy ${(elu * 100).toFixed(0)} %`;
      // The sink alone on a backlog: the same kind of events produced first (other ids), then drained;
      // once as the files' bytes, once GZIP-compressed as the connectors send them.
      const drain = async (prefix: string, gzip: boolean) => {
        const backlogFiles = writeExport(dataDir, prefix, mixedEvents(EVENTS, prefix.toUpperCase()));
        await ensureTopics(createKafka(cfg, log, 'bench'), prefix);
        await produceFiles(cfg.kafka.brokers, prefix, backlogFiles, gzip).done;
        const drainer = createSink({ cfg: { ...cfg, kafka: { ...cfg.kafka, topicPrefix: prefix } }, store, log, groupId: `bench-${prefix}` });
        const before = performance.eventLoopUtilization();
        const start = performance.now();
        await drainer.start();
        const drained = async () => Number((await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.raw_events WHERE startsWith(topic, {prefix:String})`, { prefix }))[0]?.c ?? 0);
        while ((await drained()) < EVENTS && Date.now() < deadline + 600_000) await sleep(100);
        const ms = performance.now() - start;
        const busy = performance.eventLoopUtilization(before).utilization;
        const dm = drainer.metrics();
        await drainer.stop();
        return { rate: EVENTS / (ms / 1000), notes: `${EVENTS} events already on Kafka${gzip ? ', GZIP batches' : ''}; ${split(dm, ms, busy)}` };
      };
      const plain = await drain('drain.', false);
      const gzipped = await drain('gzip.', true);

      log.error({ metrics: m }, 'sink metrics (end to end)');
      const roundNotes = rounds.map((x) => `${Math.round(x.rate)} (producer done after ${(x.producedMs / 1000).toFixed(1)} s of ${(x.ms / 1000).toFixed(1)} s)`).join(', ');
      const notes = `median of ${ROUNDS} rounds of ${EVENTS} events into the same tables: ${roundNotes}; ${written} queryable; over the rounds: ${split(m, e2eMs, e2eElu)}`;
      return [
        { figure: 'sink end to end (NDJSON files -> queryable rows)', value: e2eRate, unit: 'events/s', baseline: 'bare kafkajs producer, same bytes', baselineValue: produceRate, target: '>= 25000', notes },
        { figure: 'sink end to end (NDJSON files -> queryable rows)', value: e2eRate, unit: 'events/s', baseline: 'NDJSON straight into chDB', baselineValue: chdbRate, target: '>= 25000', notes },
        { figure: 'sink alone, draining a backlog', value: plain.rate, unit: 'events/s', baseline: 'NDJSON straight into chDB', baselineValue: chdbRate, notes: plain.notes },
        { figure: 'sink alone, draining a GZIP backlog (as connectors send)', value: gzipped.rate, unit: 'events/s', baseline: 'the same backlog uncompressed', baselineValue: plain.rate, notes: gzipped.notes },
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

/** Writes the events as one NDJSON file per source under dir; returns source -> file. */
function writeExport(dir: string, name: string, events: CanonicalEvent[]): Map<SourceId, string> {
  const bySource = new Map<SourceId, string[]>();
  for (const e of events) {
    const list = bySource.get(e.source) ?? [];
    list.push(JSON.stringify(e));
    bySource.set(e.source, list);
  }
  const files = new Map<SourceId, string>();
  for (const [source, lines] of bySource) {
    const file = join(dir, `${name}-${source}.ndjson`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    files.set(source, file);
  }
  return files;
}

interface Producing {
  /** Resolves when the producer process starts reading the files (connected, warmed up). */
  reading: Promise<void>;
  /** Resolves with its count and its duration from the first read to the last acknowledgement. */
  done: Promise<{ events: number; ms: number }>;
}

/** Runs bench/produce-files.ts in its own process. */
function produceFiles(brokers: string[], prefix: string, files: Map<SourceId, string>, gzip = false): Producing {
  const args = [...APP_NODE_FLAGS, '--import', 'tsx', PRODUCER, ...(gzip ? ['--gzip'] : []), brokers.join(','), prefix, ...[...files].map(([s, f]) => `${s}=${f}`)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let reading: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (reading = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('"reading"')) reading();
  });
  const done = (async () => {
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`the producer process exited with ${code}`);
    reading();
    const last = out.trim().split('\n').pop() ?? '{}';
    return JSON.parse(last) as { events: number; ms: number };
  })();
  return { reading: started, done };
}

export default bench;
