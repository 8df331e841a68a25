// A kafkajs producer and a consumer group exchange messages through the project's local broker.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { randomName, testConfig } from '../support/env.ts';

describe('local Kafka broker', () => {
  const cfg = testConfig();
  const kafka = new Kafka({ brokers: cfg.kafka.brokers, clientId: randomName('test'), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: randomName('group') });

  afterAll(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('delivers every message of a 3-partition topic to a consumer group, in key order', async () => {
    const topic = randomName('topic');
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);

    await producer.connect();
    const keys = ['HS-001', 'HS-002', 'HS-003', 'HS-004', 'HS-005', 'HS-006'];
    const messages = keys.flatMap((key) => [1, 2, 3].map((seq) => ({ key, value: JSON.stringify({ key, seq }) })));
    await producer.send({ topic, acks: -1, messages });

    const seen: { partition: number; key: string; seq: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${messages.length} messages arrived`)), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const v = JSON.parse(message.value?.toString() ?? '{}') as { key: string; seq: number };
          seen.push({ partition, ...v });
          if (seen.length === messages.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });

    expect(seen).toHaveLength(18);
    // Every key stays on one partition and its events arrive in the order they were sent.
    for (const key of keys) {
      const mine = seen.filter((s) => s.key === key);
      expect(new Set(mine.map((s) => s.partition)).size).toBe(1);
      expect(mine.map((s) => s.seq)).toEqual([1, 2, 3]);
    }
    // Six keys over three partitions use more than one partition.
    expect(new Set(seen.map((s) => s.partition)).size).toBeGreaterThan(1);
  });
});
