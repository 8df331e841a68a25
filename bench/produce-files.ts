// The producing side of the sink benchmark, in a process of its own (as a connector or `chiso ingest`
// is, apart from the sink): streams NDJSON files of canonical events from disk to their topics with a
// bare kafkajs producer, batches of 2,000 and several in flight (kafkajs is only fast pipelined).
// Usage: produce-files.ts <brokers> <topic-prefix> <source>=<file> ...  Prints {"reading":true} once
// connected, then {"events":n,"ms":t} (from the first read to the last acknowledgement).
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { SOURCES, type SourceId } from '../schemas/events.ts';
import { topics } from '../schemas/topics.ts';

const [brokers, prefix, ...pairs] = process.argv.slice(2);
if (brokers === undefined || prefix === undefined || pairs.length === 0) throw new Error('usage: produce-files.ts <brokers> <topic-prefix> <source>=<file> ...');
const files = pairs.map((p) => {
  const [source, file] = p.split('=');
  if (!SOURCES.includes(source as SourceId) || file === undefined) throw new Error(`expected <source>=<file> with a source of ${SOURCES.join(', ')}, got ${p}`);
  return { topic: topics(prefix).source(source as SourceId), file };
});

const BATCH = 2000;
const IN_FLIGHT = 4;
const RECORD_ID = /"record_id":"((?:[^"\\]|\\.)*)"/;
const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'bench-producer', logLevel: logLevel.NOTHING });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
process.stdout.write('{"reading":true}\n');
const t0 = performance.now();
let events = 0;
const inFlight = new Set<Promise<unknown>>();
for (const { topic, file } of files) {
  let batch: { key: string; value: string }[] = [];
  const send = async (messages: { key: string; value: string }[]) => {
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    const p = producer.send({ topic, acks: -1, messages }).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue;
    batch.push({ key: RECORD_ID.exec(line)?.[1] ?? '', value: line });
    events++;
    if (batch.length === BATCH) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send(batch);
}
await Promise.all(inFlight);
const ms = performance.now() - t0;
await producer.disconnect();
process.stdout.write(`${JSON.stringify({ events, ms })}\n`);
