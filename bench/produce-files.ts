// The producing side of the sink benchmark, in a process of its own (as a connector or `chiso ingest`
// is, apart from the sink): streams NDJSON files of canonical events from disk to their topics with a
// bare kafkajs producer, batches of 2,000 and several in flight (kafkajs is only fast pipelined).
// Usage: produce-files.ts [--gzip] <brokers> <topic-prefix> <source>=<file> ...  Prints
// {"reading":true} once connected, then {"events":n,"ms":t} (from the first read to the last
// acknowledgement). --gzip compresses the batches as the connectors do.
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { SOURCES, type SourceId } from '../schemas/events.ts';
import { topics } from '../schemas/topics.ts';

const args = process.argv.slice(2);
const gzip = args[0] === '--gzip';
const [brokers, prefix, ...pairs] = gzip ? args.slice(1) : args;
if (brokers === undefined || prefix === undefined || pairs.length === 0) throw new Error('usage: produce-files.ts [--gzip] <brokers> <topic-prefix> <source>=<file> ...');
const files = pairs.map((p) => {
  const [source, file] = p.split('=');
  if (!SOURCES.includes(source as SourceId) || file === undefined) throw new Error(`expected <source>=<file> with a source of ${SOURCES.join(', ')}, got ${p}`);
  return { topic: topics(prefix).source(source as SourceId), file };
});

const BATCH = 2000;
const IN_FLIGHT = 4;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const RECORD_ID = Buffer.from('"record_id":"');
const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'bench-producer', logLevel: logLevel.NOTHING });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
process.stdout.write('{"reading":true}\n');
const t0 = performance.now();
let events = 0;
const inFlight = new Set<Promise<unknown>>();
type Message = { key: Buffer; value: Buffer };
for (const { topic, file } of files) {
  let batch: Message[] = [];
  const send = async (messages: Message[]) => {
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    const p = producer.send({ topic, acks: -1, messages, compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None }).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  // The file's bytes go to Kafka as they are: each line a slice of the read buffer (no decoding to
  // strings and encoding back), keyed by its record id as connectors key their events.
  let rest: Buffer | undefined;
  for await (const read of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = rest === undefined ? read : Buffer.concat([rest, read]);
    let start = 0;
    for (let end = buf.indexOf(NEWLINE, start); end !== -1; end = buf.indexOf(NEWLINE, start)) {
      if (end > start) {
        const line = buf.subarray(start, end);
        batch.push({ key: recordId(line), value: line });
        events++;
      }
      start = end + 1;
      if (batch.length === BATCH) {
        await send(batch);
        batch = [];
      }
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
  }
  if (rest !== undefined) {
    batch.push({ key: recordId(rest), value: rest });
    events++;
  }
  if (batch.length > 0) await send(batch);
}
await Promise.all(inFlight);
const ms = performance.now() - t0;
await producer.disconnect();
process.stdout.write(`${JSON.stringify({ events, ms })}\n`);

/** The bytes of the line's "record_id" string value (empty when it has none). */
function recordId(line: Buffer): Buffer {
  const at = line.indexOf(RECORD_ID);
  if (at === -1) return Buffer.alloc(0);
  const from = at + RECORD_ID.length;
  let to = line.indexOf(QUOTE, from);
  while (to !== -1 && escaped(line, to, from)) to = line.indexOf(QUOTE, to + 1);
  return line.subarray(from, to === -1 ? line.length : to);
}

/** Whether the quote at `at` is escaped: an odd number of backslashes before it (after `from`). */
function escaped(line: Buffer, at: number, from: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= from && line[i] === BACKSLASH; i--) n++;
  return n % 2 === 1;
}
