// kafkajs clients for chiso: one factory, logging through the pino logger, and the topics created
// with their partition counts (auto-creation is off on the local broker).
import { Kafka, logLevel as KafkaLevel, type LogEntry } from 'kafkajs';
import type { Config } from '../../schemas/config.ts';
import { PARTITIONS, topics } from '../../schemas/topics.ts';
import type { Logger } from '../../lib/logger.ts';
import { retry } from '../../lib/retry.ts';

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

/** Creates chiso's topics if missing (idempotent): the source topics, rejects and runs. */
export async function ensureTopics(kafka: Kafka, prefix: string): Promise<void> {
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
      // A broker that has just started may answer "not the controller" or "does not host this
      // topic-partition" for a moment: kafkajs marks those retriable.
      await retry(
        () =>
          admin.createTopics({ topics: wanted.map((w) => ({ ...w, replicationFactor: -1 })), waitForLeaders: true }).catch((e: unknown) => {
            // Two processes may race to create the same topic; that one exists is all we need.
            if (!/already exists/i.test(String(e))) throw e;
            return true;
          }),
        { attempts: 10, backoff: { initialMs: 200, maxMs: 2_000 } },
      );
    }
    // waitForLeaders trusts the controller's metadata; on a busy broker a partition can still be
    // "not hosted" for a moment after it, and a consumer that subscribes or a producer that sends
    // then fails. Listing each topic's offsets is answered by the partitions' leaders themselves:
    // once that works for every topic, the topics are ready (a bounded wait: ~30 s at most).
    for (const topic of t.all) {
      await retry(() => admin.fetchTopicOffsets(topic), { attempts: 30, backoff: { initialMs: 100, maxMs: 2_000 }, isRetriable: () => true });
    }
  } finally {
    await admin.disconnect();
  }
}
