// kafkajs clients for chiso: one factory, logging through the pino logger, and the topics created
// with their partition counts (auto-creation is off on the local broker).
import { Kafka, logLevel as KafkaLevel, type LogEntry } from 'kafkajs';
import type { Config } from '../../schemas/config.ts';
import { PARTITIONS, topics } from '../../schemas/topics.ts';
import type { Logger } from '../../lib/logger.ts';

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
      await admin.createTopics({ topics: wanted.map((w) => ({ ...w, replicationFactor: -1 })), waitForLeaders: true }).catch((e: unknown) => {
        // Two processes may race to create the same topic; that one exists is all we need.
        if (!/already exists/i.test(String(e))) throw e;
      });
    }
  } finally {
    await admin.disconnect();
  }
}
