// kafkajs clients for chiso: one factory, logging through the pino logger, and the topics created
// with their partition counts (auto-creation is off on the local broker).
import { Kafka, logLevel as KafkaLevel, type LogEntry } from 'kafkajs';
import type { Config } from '../../schemas/config.ts';
import { PARTITIONS, topics } from '../../schemas/topics.ts';
import type { Logger } from '../../lib/logger.ts';
import { errorMessage, InfraError } from '../../lib/errors.ts';
import { isRetriable, retry, type RetryInfo } from '../../lib/retry.ts';

const LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLevel.ERROR]: 'error',
  [KafkaLevel.WARN]: 'warn',
  [KafkaLevel.INFO]: 'info',
  [KafkaLevel.DEBUG]: 'debug',
};

export function createKafka(cfg: Config, log: Logger, clientId: string): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: cfg.kafka.brokers,
    connectionTimeout: 5000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    logLevel: KafkaLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // The group coordinator is briefly unavailable right after a broker starts; kafkajs retries it.
        if (/coordinator is not available|not the correct coordinator|coordinator is loading/i.test(String(rest.error ?? ''))) return;
        kafkaLog[LEVEL[level] ?? 'info'](rest, message);
      },
  });
}

/** What a broker that has just started answers while it settles: worth another try. */
const SETTLING = /does not host this topic-partition|leader|coordinator is loading|not the controller/i;

/**
 * Creates chiso's topics if missing (idempotent): the source topics, rejects and runs; returns once
 * every partition's leader answers. The one rule for it: the sink, the connectors and the tests call
 * this. A freshly started broker may answer "not the controller" or "does not host this
 * topic-partition" for a while; those are retried (6 attempts, 250 ms more each time), anything else,
 * or the last failure, becomes an InfraError KAFKA_TOPICS that says what failed.
 */
export async function ensureTopics(kafka: Kafka, prefix: string, opts: { attempts?: number; onRetry?: (info: RetryInfo) => void } = {}): Promise<void> {
  await retry(() => createMissing(kafka, prefix), {
    attempts: opts.attempts ?? 6,
    backoff: { initialMs: 250, growth: 'linear' },
    isRetriable: (e) => isRetriable(e) || SETTLING.test(String(e)),
    ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
    giveUp: (e) => new InfraError(`Kafka: cannot create or find chiso's topics (${errorMessage(e)})`, 'KAFKA_TOPICS', {}, { cause: e }),
  });
}

async function createMissing(kafka: Kafka, prefix: string): Promise<void> {
  const t = topics(prefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [
      ...t.all.filter((n) => n !== t.rejects && n !== t.runs).map((topic) => ({ topic, numPartitions: PARTITIONS.source })),
      { topic: t.rejects, numPartitions: PARTITIONS.rejects },
      { topic: t.runs, numPartitions: PARTITIONS.runs },
    ].filter((x) => !existing.has(x.topic));
    if (wanted.length > 0) {
      await admin.createTopics({ topics: wanted.map((w) => ({ ...w, replicationFactor: -1 })), waitForLeaders: true }).catch((e: unknown) => {
        // Two processes may race to create the same topic; that one exists is all we need.
        if (!/already exists/i.test(String(e))) throw e;
      });
    }
    // waitForLeaders trusts the controller's metadata; on a busy broker a partition can still be
    // "not hosted" for a moment after it, and a consumer that subscribes or a producer that sends
    // then fails. Listing each topic's offsets is answered by the partitions' leaders themselves:
    // once that works for every topic, the topics are ready (a bounded wait: ~30 s at most).
    for (const topic of t.all) {
      await retry(() => admin.fetchTopicOffsets(topic), { attempts: 30, backoff: { initialMs: 100, maxMs: 2_000 }, isRetriable: (e) => SETTLING.test(String(e)) || isRetriable(e) });
    }
  } finally {
    await admin.disconnect();
  }
}
