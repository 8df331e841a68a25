// Shared by the connector integration tests: a producer on random topics of the test broker, reading
// a topic back to its end with a consumer on a random group, xlsx exports built from the CSV
// fixtures, and the personal data of the fixtures that must never appear on Kafka.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Kafka } from 'kafkajs';
import { splitCsv } from '../../lib/csv.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import { createChisoProducer } from '../../connectors/producer.ts';
import type { IngestDeps } from '../../connectors/run.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import type { Config } from '../../schemas/config.ts';
import { type Topics, topics } from '../../schemas/topics.ts';
import { createLogger } from '../../lib/logger.ts';
import { randomName, testConfig } from '../support/env.ts';

export const PII_SECRET = 'test-secret-for-the-connectors-0123456789';

export interface ConnectorEnv {
  cfg: Config;
  kafka: Kafka;
  topics: Topics;
  deps: IngestDeps;
  close(): Promise<void>;
}

export async function connectorEnv(): Promise<ConnectorEnv> {
  const prefix = `${randomName('c')}.`;
  const cfg = testConfig({ KAFKA_TOPIC_PREFIX: prefix, CHISO_PII_SECRET: PII_SECRET });
  const log = createLogger('warn', { name: 'connectors-test' });
  const kafka = createKafka(cfg, log, randomName('connectors-test'));
  await ensureTopics(kafka, prefix);
  const producer = await createChisoProducer(kafka, log, { batchSize: 500 });
  return {
    cfg,
    kafka,
    topics: topics(prefix),
    deps: { producer, log, pseudonymise: pseudonymiser(PII_SECRET), topicPrefix: prefix },
    close: () => producer.disconnect(),
  };
}

export interface Read {
  partition: number;
  offset: string;
  key: string;
  value: string;
}

/** A fresh broker moves partition leadership around for a few seconds: retry what kafkajs does not. */
async function retried<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !/leader|does not host/i.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 250 * i));
    }
  }
}

/** Every message of a topic, up to its end offsets at the time of the call. */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<Read[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await retried(() => admin.fetchTopicOffsets(topic));
  await admin.disconnect();
  const wanted = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high) - 1n]));
  if (wanted.size === 0) return [];
  const out: Read[] = [];
  const consumer = kafka.consumer({ groupId: randomName('read'), sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic}: read ${out.length} messages, end offsets not reached in ${timeoutMs} ms`)), timeoutMs);
      const reached = new Set<number>();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          out.push({ partition, offset: message.offset, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
          const last = wanted.get(partition);
          if (last !== undefined && BigInt(message.offset) >= last) reached.add(partition);
          if (reached.size === wanted.size) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

const DMY_TIME = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * An .xlsx made from a ',' CSV fixture (title block included): dates become Excel date cells, or, with
 * `serial`, plain Excel serial numbers, as some exports store them.
 */
export async function xlsxFromCsv(csvPath: string, outName: string, opts: { serial?: boolean } = {}): Promise<string> {
  const text = readFileSync(csvPath, 'utf8').replace(/^\uFEFF/, '');
  return xlsxFromRows(
    text.split(/\r?\n/).map((line) => (line === '' ? [] : splitCsv(line, ','))),
    outName,
    opts,
  );
}

/** An .xlsx of the given rows; "dd/MM/yyyy[ HH:mm[:ss]]" texts become date cells or serial numbers. */
export async function xlsxFromRows(rows: string[][], outName: string, opts: { serial?: boolean } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'chiso-xlsx-'));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Danh sách');
  for (const row of rows) {
    ws.addRow(
      row.map((c): unknown => {
        const m = DMY_TIME.exec(c);
        if (!m) return c;
        const wall = Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
        return opts.serial ? (wall - Date.UTC(1899, 11, 30)) / 86_400_000 : new Date(wall);
      }),
    );
  }
  const path = join(dir, outName);
  await wb.xlsx.writeFile(path);
  return path;
}

/** The personal data in the fixtures and the corpus: none of it may appear in any message. */
export const PERSONAL_DATA = [
  'Nguyễn Văn An',
  'Nguyen Van An',
  '001085012345',
  '0912345678',
  'nguyen.van.an@example.vn',
  'Hoa Sữa',
  'Trần Thị Bình',
  'Lê Thị Cúc',
  '036190007777',
  '0987654321',
  'le.thi.cuc@example.vn',
  'Công ty TNHH Hoa Sen',
  '0101234567',
  '02433334444',
  'lienhe@hoasen.example.vn',
  'Phạm Văn Dũng',
  'Đỗ Thị Giang',
  'Hoàng Thị Em',
  'Vũ Văn Hùng',
  '079123456789',
  '0901112233',
  'vu.van.hung@example.vn',
];

export function personalDataIn(values: readonly string[]): string[] {
  const found: string[] = [];
  for (const v of values) {
    const decoded = [v];
    // Rejects of undecodable records carry base64: look inside too.
    for (const m of v.matchAll(/"original":"([A-Za-z0-9+/=]{16,})","original_encoding":"base64"/g)) decoded.push(Buffer.from(m[1] ?? '', 'base64').toString('latin1'));
    for (const p of PERSONAL_DATA) if (decoded.some((d) => d.includes(p) || d.includes(Buffer.from(p, 'utf8').toString('latin1')))) found.push(`${p} in ${v.slice(0, 200)}`);
  }
  return found;
}
