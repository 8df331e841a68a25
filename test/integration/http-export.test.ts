// The HTTP export API client against the simulator over real HTTP on a loopback port: paging, window
// filters, retries of 500s / garbage / timeouts, a refused token, and a resume from the checkpoint.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { HttpCheckpoint } from '../../connectors/http/checkpoint.ts';
import { type ExportApiOptions, readExportApi } from '../../connectors/http/client.ts';
import { ingestFromApi } from '../../connectors/http/ingest-api.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import { createChisoProducer } from '../../connectors/producer.ts';
import type { IngestDeps } from '../../connectors/run.ts';
import type { RawRecord } from '../../connectors/types.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import { topics } from '../../schemas/topics.ts';
import { startSimulator, type Simulator } from '../support/source-simulator/server.ts';
import { InfraError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/logger.ts';
import { randomName, testConfig } from '../support/env.ts';

const log = createLogger('silent');
const TOKEN = 'test-source-token-0123456789';
const FAST_RETRY = { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 };

/** 23 payments, one per day from 2025-01-01 (+07:00), so that 23 is not a multiple of the page size. */
function payments(): Record<string, unknown>[] {
  return Array.from({ length: 23 }, (_, i) => ({
    MaGiaoDich: `GD${String(i + 1).padStart(4, '0')}`,
    MaHoSo: `HS${i + 1}`,
    MaDonVi: 'X0101',
    SoTien: 50_000 + i,
    HinhThuc: i % 3 === 0 ? 'TRUC_TIEP' : 'TRUC_TUYEN',
    TrangThai: 'THANH_CONG',
    ThoiGian: `${String(i + 1).padStart(2, '0')}/01/2025 09:30`,
  }));
}

async function collect(it: AsyncIterable<RawRecord>, stopAfter?: number): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of it) {
    out.push(r);
    if (stopAfter !== undefined && out.length >= stopAfter) break;
  }
  return out;
}

const idOf = (r: RawRecord) => ('parseError' in r.fields ? undefined : (r.fields.MaGiaoDich as string));

describe('HTTP export API client against the simulator', () => {
  let sim: Simulator;
  const dir = mkdtempSync(join(tmpdir(), 'chiso-sim-'));
  const base = (): ExportApiOptions => ({ baseUrl: sim.url, entity: 'payments', token: TOKEN, to: '2026-01-01T00:00:00+07:00', pageSize: 5, log, fetchTimeoutMs: 5_000, retry: FAST_RETRY });

  beforeAll(async () => {
    writeFileSync(join(dir, 'payments.ndjson'), payments().map((p) => JSON.stringify(p)).join('\n') + '\n');
    sim = await startSimulator({ dir, token: TOKEN, log });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('pages until page * pageSize >= total, locating each record by window URL, page and index', async () => {
    sim.control.clear();
    const records = await collect(readExportApi(base()));
    expect(records.map(idOf)).toEqual(payments().map((p) => p.MaGiaoDich));
    const last = records.at(-1)!;
    expect(last.origin).toEqual({ uri: `${sim.url}/payments?to=2026-01-01T00%3A00%3A00%2B07%3A00`, page: 5, index: 2 });
    expect(JSON.parse(last.original)).toEqual(payments()[22]);
    expect(sim.control.requests.filter((r) => r.entity === 'payments').map((r) => r.page)).toEqual([1, 2, 3, 4, 5]);
  });

  it('filters on the update time: from inclusive, to exclusive', async () => {
    const records = await collect(readExportApi({ ...base(), from: '2025-01-05T00:00:00+07:00', to: '2025-01-12T00:00:00+07:00' }));
    expect(records.map(idOf)).toEqual(['GD0005', 'GD0006', 'GD0007', 'GD0008', 'GD0009', 'GD0010', 'GD0011']);
    expect(records.map((r) => r.origin.page)).toEqual([1, 1, 1, 1, 1, 2, 2]);
  });

  it('retries a 500, a body that is not JSON and a timeout, then reads everything', async () => {
    sim.control.requests.length = 0;
    sim.control.set({ failNext: 1, status: 500 });
    expect((await collect(readExportApi(base()))).length).toBe(23);
    sim.control.set({ failNext: 2, garbage: true });
    expect((await collect(readExportApi(base()))).length).toBe(23);
    sim.control.set({ failNext: 1, delayMs: 1_000 });
    expect((await collect(readExportApi({ ...base(), fetchTimeoutMs: 200 }))).length).toBe(23);
    const faults = sim.control.requests.filter((r) => r.fault);
    expect(faults.map((r) => r.status)).toEqual([500, 200, 200]);
  });

  it('gives up on a persistent 503 after the bounded attempts with a retriable error', async () => {
    sim.control.set({ status: 503 });
    try {
      const err = await collect(readExportApi(base())).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InfraError);
      expect((err as InfraError).retriable).toBe(true);
      expect((err as InfraError).message).toMatch(/HTTP 503.*gave up after 4 attempts/);
    } finally {
      sim.control.clear();
    }
  });

  it('fails at once, not retriable, when the token is refused (401)', async () => {
    sim.control.requests.length = 0;
    const err = await collect(readExportApi({ ...base(), token: 'wrong-token-0123456789' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InfraError);
    expect((err as InfraError).retriable).toBe(false);
    expect((err as InfraError).message).toContain('refused the token (HTTP 401)');
    expect((err as InfraError).message).toContain(`${sim.url}/payments`);
  });

  it('resumes after a crash from the next page, then the next run starts from the last finished to', async () => {
    sim.control.clear();
    const cpDir = mkdtempSync(join(tmpdir(), 'chiso-cp-'));
    const to = '2025-01-20T00:00:00+07:00';
    // The first run dies while reading page 3 (after pages 1 and 2 were handed on).
    const cp1 = await HttpCheckpoint.open(cpDir, sim.url, 'payments');
    const first = await collect(readExportApi({ ...base(), to, checkpoint: cp1 }), 12);
    expect(first.at(-1)!.origin.page).toBe(3);
    expect((await HttpCheckpoint.open(cpDir, sim.url, 'payments')).state.open).toMatchObject({ to, lastPage: 2 });

    // A new run with a later `to` first finishes the crashed window from page 3, then reads on from its `to`.
    sim.control.requests.length = 0;
    const cp2 = await HttpCheckpoint.open(cpDir, sim.url, 'payments');
    const second = await collect(readExportApi({ ...base(), to: '2025-01-23T00:00:00+07:00', checkpoint: cp2 }));
    expect(second[0]!.origin.page).toBe(3);
    expect(sim.control.requests.map((r) => r.page)).toEqual([3, 4, 1]);
    const union = [...first.filter((r) => r.origin.page! <= 2), ...second].map(idOf);
    expect(union).toEqual(payments().slice(0, 22).map((p) => p.MaGiaoDich));
    expect(new Set(union).size).toBe(union.length);
    expect(cp2.state).toMatchObject({ finishedTo: '2025-01-23T00:00:00+07:00' });
    expect(cp2.state.open).toBeUndefined();

    // Nothing new: the next run reads one empty window.
    const third = await collect(readExportApi({ ...base(), to: '2025-01-23T00:00:00+07:00', checkpoint: await HttpCheckpoint.open(cpDir, sim.url, 'payments') }));
    expect(third).toEqual([]);
  });
});

/** Every message of a topic from the beginning, until `count` arrived (bounded wait). */
async function readTopic(brokers: string[], topic: string, count: number): Promise<Record<string, unknown>[]> {
  const consumer = new Kafka({ brokers, clientId: randomName('read'), logLevel: logLevel.NOTHING }).consumer({ groupId: randomName('g') });
  const seen: Record<string, unknown>[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${count} messages on ${topic}`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>);
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('ingestion runs from the HTTP export API into the real broker', () => {
  const cfg = testConfig({ KAFKA_TOPIC_PREFIX: `${randomName('http')}.` });
  const t = topics(cfg.kafka.topicPrefix);
  let sim: Simulator;
  let deps: IngestDeps;
  const dir = mkdtempSync(join(tmpdir(), 'chiso-sim-'));

  beforeAll(async () => {
    writeFileSync(join(dir, 'payments.ndjson'), payments().map((p) => JSON.stringify(p)).join('\n') + '\n');
    sim = await startSimulator({ dir, token: TOKEN, log });
    const kafka = createKafka(cfg, log, randomName('http-test'));
    await ensureTopics(kafka, cfg.kafka.topicPrefix);
    deps = { producer: await createChisoProducer(kafka, log), log, pseudonymise: pseudonymiser('test-secret-0123456789abcdef'), topicPrefix: cfg.kafka.topicPrefix };
  });
  afterAll(async () => {
    await deps.producer.disconnect();
    await sim.stop();
  });

  it('produces every record once across a 500, a run that dies on page 3 and the run that resumes it', async () => {
    const checkpointDir = mkdtempSync(join(tmpdir(), 'chiso-cp-'));
    const req = { source: 'public-service-portal' as const, entity: 'payments' as const, baseUrl: sim.url, token: TOKEN, to: '2026-01-01T00:00:00+07:00', pageSize: 5, checkpointDir, retry: FAST_RETRY };

    // Run 1: page 1 succeeds after a 500; page 3 answers a 400, which cannot be retried: the run dies there.
    sim.control.clear();
    sim.control.set({ failNext: 1, status: 500, page: 1 });
    sim.control.set({ failNext: 1, status: 400, page: 3 });
    const run1 = await ingestFromApi(deps, { ...req, runId: randomName('run') });
    expect(run1).toMatchObject({ status: 'failed', read: 10, accepted: 10, rejected: 0 });
    expect(run1.error).toContain('HTTP 400');
    expect(run1.origin).toBe(`${sim.url}/payments?to=2026-01-01T00%3A00%3A00%2B07%3A00`);
    expect((await HttpCheckpoint.open(checkpointDir, sim.url, 'payments')).state.open).toMatchObject({ lastPage: 2 });

    // Run 2 resumes at page 3 of the same window and finishes it.
    sim.control.requests.length = 0;
    const run2 = await ingestFromApi(deps, { ...req, runId: randomName('run') });
    expect(run2).toMatchObject({ status: 'succeeded', read: 13, accepted: 13, rejected: 0 });
    expect(sim.control.requests.map((r) => r.page)).toEqual([3, 4, 5]);

    // On the topic: each of the 23 records exactly once, located by page and index.
    const events = await readTopic(cfg.kafka.brokers, t.source('public-service-portal'), 23);
    expect(events.map((e) => e.record_id).sort()).toEqual(payments().map((p) => p.MaGiaoDich));
    expect(events.find((e) => e.record_id === 'GD0013')).toMatchObject({ unit_code: 'X0101', origin: { page: 3, index: 2 } });
    expect(new Set(events.map((e) => e.run_id))).toEqual(new Set([run1.runId, run2.runId]));
  });

  it('a refused token fails the run, naming the status', async () => {
    const checkpointDir = mkdtempSync(join(tmpdir(), 'chiso-cp-'));
    const run = await ingestFromApi(deps, {
      runId: randomName('run'),
      source: 'public-service-portal',
      entity: 'payments',
      baseUrl: sim.url,
      token: 'wrong-token-0123456789',
      checkpointDir,
      retry: FAST_RETRY,
    });
    expect(run.status).toBe('failed');
    expect(run.error).toContain('HTTP 401');
    expect(run.read).toBe(0);
    // The checkpoint did not move: the next run with the right token reads everything.
    expect((await HttpCheckpoint.open(checkpointDir, sim.url, 'payments')).state.finishedTo).toBeUndefined();
  });
});
