// The connectors' Kafka producer: idempotent, acks = all, GZIP, key = record id; messages are
// gathered into batches of a few thousand with several sends in flight (kafkajs is only fast when
// pipelined), and the highest offset per topic-partition is kept for the run ledger and `--wait`.
import { CompressionTypes, type Kafka, type PartitionMetadata, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { errorMessage, InfraError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { retry } from '../lib/retry.ts';

export interface OutMessage {
  topic: string;
  key: string;
  value: string;
}

export interface ChisoProducer {
  /** Queues a message; resolves once it is accepted into a batch (back-pressure when too many are in flight). */
  send(message: OutMessage): Promise<void>;
  /** Sends what is queued and waits for every in-flight batch; rejects if any batch failed. */
  flush(): Promise<void>;
  /** Highest offset acknowledged per "topic:partition" since the last takeOffsets(). */
  takeOffsets(): Record<string, string>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  /** Messages per batch and lane. */
  batchSize?: number;
  /** Batches queued per lane before send() waits. */
  inFlight?: number;
  /** Idempotent kafkajs producers working side by side (see below). */
  lanes?: number;
  /** How long a batch may go unacknowledged (kafkajs retrying meanwhile) before the run fails. */
  sendTimeoutMs?: number;
}

interface Queued {
  topic: string;
  partition: number;
  key: string;
  value: string;
}

interface Lane {
  producer: Producer;
  queue: Queued[];
  inFlight: Set<Promise<void>>;
}

/**
 * kafkajs serialises the requests of an idempotent producer to a broker (one produce request at a
 * time, to keep its sequence numbers right), so one producer leaves the pipe idle while the broker
 * answers. Several producers ("lanes") each own a fixed share of the partitions (partition % lanes):
 * their requests overlap, and the messages of one key still go through one producer, in order.
 */
export async function createChisoProducer(kafka: Kafka, log: Logger, opts: ProducerOptions = {}): Promise<ChisoProducer> {
  const batchSize = opts.batchSize ?? 2000;
  const maxInFlight = opts.inFlight ?? 3;
  const sendTimeoutMs = opts.sendTimeoutMs ?? 120_000;
  const lanes: Lane[] = [];
  try {
    for (let i = 0; i < (opts.lanes ?? 3); i++) {
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        createPartitioner: Partitioners.DefaultPartitioner,
        // kafkajs retries an idempotent producer's batch without end (bounding it would weaken its
        // exactly-once guarantee); the run bounds the wait instead (sendTimeoutMs) and then fails.
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
      });
      lanes.push({ producer, queue: [], inFlight: new Set() });
      await producer.connect();
    }
  } catch (e) {
    await Promise.allSettled(lanes.map((l) => l.producer.disconnect()));
    throw new InfraError(`Kafka: cannot connect the producer (${errorMessage(e)}); is the broker running?`, 'KAFKA_CONNECT', {}, { cause: e });
  }
  // Partitions are chosen here with kafkajs' own default partitioner, so that the run knows how many
  // messages each partition got in a batch (hence the last offset it produced there) and its lane.
  const partitioner = Partitioners.DefaultPartitioner();
  const meta = new Map<string, Promise<PartitionMetadata[]>>();
  const known = new Map<string, PartitionMetadata[]>();
  const partitionsOf = (topic: string) => {
    let m = meta.get(topic);
    if (!m) {
      const admin = kafka.admin();
      m = admin
        .connect()
        .then(() => withRetry(() => admin.fetchTopicMetadata({ topics: [topic] })))
        .then((r) => {
          const list = r.topics[0]?.partitions ?? [];
          known.set(topic, list);
          return list;
        })
        .catch((e: unknown) => {
          meta.delete(topic); // a later run asks again instead of inheriting this failure
          throw e;
        })
        .finally(() => void admin.disconnect());
      meta.set(topic, m);
    }
    return m;
  };
  let failure: unknown;
  let offsets: Record<string, string> = {};

  const sendBatch = async (lane: Lane, batch: Queued[]) => {
    const byTopic = new Map<string, { key: string; value: string; partition: number }[]>();
    const counts = new Map<string, number>();
    for (const m of batch) {
      let list = byTopic.get(m.topic);
      if (!list) byTopic.set(m.topic, (list = []));
      list.push({ key: m.key, value: m.value, partition: m.partition });
      const k = `${m.topic}:${m.partition}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`a batch was not acknowledged within ${Math.round(sendTimeoutMs / 1000)} s (is the broker reachable?)`)), sendTimeoutMs);
    });
    const results: RecordMetadata[] = await Promise.race([
      lane.producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.GZIP,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      }),
      timeout,
    ]).finally(() => clearTimeout(timer));
    for (const r of results) {
      // baseOffset is the first offset of this batch on that partition; the batch's messages follow it.
      const key = `${r.topicName}:${r.partition}`;
      const last = BigInt(r.baseOffset ?? r.offset ?? '0') + BigInt((counts.get(key) ?? 1) - 1);
      const prev = offsets[key];
      if (prev === undefined || BigInt(prev) < last) offsets[key] = last.toString();
    }
  };

  const dispatch = (lane: Lane) => {
    if (lane.queue.length === 0) return;
    const batch = lane.queue;
    lane.queue = [];
    const p: Promise<void> = sendBatch(lane, batch)
      .catch((e: unknown) => {
        failure ??= e;
        log.error({ err: e }, 'Kafka: a batch could not be produced');
      })
      .finally(() => lane.inFlight.delete(p));
    lane.inFlight.add(p);
  };

  // A failure is reported once, to the run that was producing; the next run starts clean.
  const check = () => {
    if (failure !== undefined) {
      const f = failure;
      failure = undefined;
      for (const l of lanes) l.queue = [];
      throw new InfraError(`Kafka: producing failed (${errorMessage(f)})`, 'KAFKA_PRODUCE', {}, { cause: f });
    }
  };

  return {
    async send(message) {
      check();
      let partitionMetadata = known.get(message.topic);
      if (!partitionMetadata) {
        try {
          partitionMetadata = await partitionsOf(message.topic);
        } catch (e) {
          throw new InfraError(`Kafka: producing failed (topic ${message.topic}: ${errorMessage(e)})`, 'KAFKA_PRODUCE', {}, { cause: e });
        }
      }
      const partition = partitioner({ topic: message.topic, partitionMetadata, message: { key: message.key, value: message.value } });
      const lane = lanes[partition % lanes.length] as Lane;
      lane.queue.push({ ...message, partition });
      if (lane.queue.length >= batchSize) {
        dispatch(lane);
        while (lane.inFlight.size >= maxInFlight) await Promise.race(lane.inFlight);
        check();
      }
    },
    async flush() {
      for (const l of lanes) dispatch(l);
      for (const l of lanes) while (l.inFlight.size > 0) await Promise.race(l.inFlight);
      check();
    },
    takeOffsets() {
      const o = offsets;
      offsets = {};
      return o;
    },
    async disconnect() {
      await Promise.all(lanes.map((l) => l.producer.disconnect()));
    },
  };
}

const TRANSIENT = /does not host this topic-partition|leader|coordinator is loading/i;

/** Retries what a freshly started broker answers while it settles (partition leadership moving). */
function withRetry<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  return retry(fn, { attempts, backoff: { initialMs: 250, growth: 'linear' }, isRetriable: (e) => TRANSIENT.test(String(e)) });
}
