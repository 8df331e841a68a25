// The source's export API misbehaves during a run (slow pages beyond the client's timeout, 503s,
// then 200s whose body is not JSON): first transiently, which retries absorb, then for good on a
// later page, which fails the run; a re-run resumes from the checkpoint. Either way the run ends
// consistently: ClickHouse holds every record of the window once, none twice.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFromApi } from '../../connectors/http/ingest-api.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import { createChisoProducer } from '../../connectors/producer.ts';
import type { IngestDeps, RunSummary } from '../../connectors/run.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { startSimulator, type Simulator } from '../support/source-simulator/server.ts';
import { randomName, testConfig } from '../support/env.ts';
import { rawCounts } from '../integration/sink-fixtures.ts';
import { beside } from './clean-run.ts';

const log = createLogger('silent');
const TOKEN = 'fault-source-token-0123456789';
const N = 240;
const cfg = testConfig({ KAFKA_TOPIC_PREFIX: `${randomName('api')}.`, CHISO_SINK_GROUP: randomName('sink') });
const kafka = createKafka(cfg, log, randomName('api-fault'));
let store: Store;
let sink: Sink;
let sim: Simulator;
let deps: IngestDeps;

/** N payments over January and February 2025. */
const payments = Array.from({ length: N }, (_, i) => ({
  MaGiaoDich: `GD${String(i + 1).padStart(5, '0')}`,
  MaHoSo: `HS${i + 1}`,
  MaDonVi: i % 2 ? 'X0101' : 'X0102',
  SoTien: 50_000 + i,
  HinhThuc: i % 3 === 0 ? 'TRUC_TIEP' : 'TRUC_TUYEN',
  TrangThai: 'THANH_CONG',
  ThoiGian: `${String((i % 28) + 1).padStart(2, '0')}/0${1 + (i % 2)}/2025 09:30`,
}));

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chiso-fault-sim-'));
  writeFileSync(join(dir, 'payments.ndjson'), payments.map((p) => JSON.stringify(p)).join('\n') + '\n');
  sim = await startSimulator({ dir, token: TOKEN, log });
  store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  sink = createSink({ cfg, store, log });
  await sink.start();
  await ensureTopics(kafka, cfg.kafka.topicPrefix);
  deps = { producer: await createChisoProducer(kafka, log), log, pseudonymise: pseudonymiser('fault-secret-0123456789abcdef'), topicPrefix: cfg.kafka.topicPrefix };
});

afterAll(async () => {
  await deps?.producer.disconnect();
  await sink?.stop();
  await store?.close();
  await sim?.stop();
});

function produced(runs: RunSummary[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.producedOffsets)) if (!out[k] || BigInt(out[k]) < BigInt(v)) out[k] = v;
  return out;
}

describe('fault: the source API slow, then 5xx, then garbage JSON', () => {
  it('a run that survives, a run that fails and its re-run: every record once', { timeout: 240_000 }, async () => {
    const checkpointDir = mkdtempSync(join(tmpdir(), 'chiso-fault-cp-'));
    const to = '2026-01-01T00:00:00+07:00';
    const req = { source: 'public-service-portal' as const, entity: 'payments' as const, baseUrl: sim.url, token: TOKEN, to, pageSize: 20, checkpointDir, fetchTimeoutMs: 1000, retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 100 } };
    sim.control.clear();
    // Transient: page 2 slower than the client waits, page 4 two 503s, page 6 one garbage body.
    sim.control.set({ failNext: 1, page: 2, delayMs: 2500 });
    sim.control.set({ failNext: 2, page: 4, status: 503 });
    sim.control.set({ failNext: 1, page: 6, garbage: true });
    // For good on page 9: more garbage than the retries allow; the run fails there.
    sim.control.set({ failNext: 10, page: 9, garbage: true });

    const runs: RunSummary[] = [await ingestFromApi(deps, { ...req, runId: randomName('run') })];
    const served = sim.control.requests.filter((r) => r.fault).map((r) => r.page);
    expect(served).toEqual(expect.arrayContaining([4, 4, 6, 9]));
    // The slow answer is not in the served log (the client had hung up): its one-shot fault was used.
    expect(sim.control.describe().next.filter((o) => o.page !== 9)).toEqual([]);
    const first = runs[0]!;
    // Consistent either way: a succeeded run read everything; a failed one says why and re-runs.
    if (first.status === 'failed') {
      expect(first.error).not.toBe('');
      sim.control.clear();
      runs.push(await ingestFromApi(deps, { ...req, runId: randomName('run') }));
    }
    expect(first.status).toBe('failed'); // page 9 did fail it
    expect(runs.at(-1)?.status).toBe('succeeded');
    for (const r of runs) expect(r.read).toBe(r.accepted + r.rejected);
    expect(runs.reduce((n, r) => n + r.accepted, 0)).toBeGreaterThanOrEqual(N);

    await waitForSink({ kafka, groupId: cfg.sinkGroup ?? '', produced: produced(runs), timeoutMs: 120_000 });
    expect(await rawCounts(store)).toEqual({ count: N, unique: N });
    const ids = await select<{ record_id: string }>(store, `SELECT record_id FROM ${store.db}.payments FINAL ORDER BY record_id`);
    expect(ids.map((r) => r.record_id)).toEqual(payments.map((p) => p.MaGiaoDich));
    // Each run's final state is in the ledger.
    const [ledger] = await select<{ n: string }>(store, `SELECT count() AS n FROM ${store.db}.ingest_runs FINAL WHERE run_id IN ({ids:Array(String)}) AND status != 'running'`, { ids: runs.map((r) => r.runId) });
    expect(Number(ledger?.n)).toBe(runs.length);

    // Every indicator value equals a clean run's: the same window read again with no fault, onto
    // fresh topics and into a fresh database.
    sim.control.clear();
    const { faulted, clean } = await beside(cfg, store, {
      events: N,
      unitCodes: ['X0101', 'X0102'],
      days: { from: '2025-01-01', to: '2025-02-28' },
      produce: async (prefix) => {
        const run = await ingestFromApi({ ...deps, topicPrefix: prefix }, { ...req, checkpointDir: mkdtempSync(join(tmpdir(), 'chiso-clean-cp-')), runId: randomName('clean') });
        expect(run.status).toBe('succeeded');
      },
    }, log);
    expect(faulted.length).toBeGreaterThan(10);
    expect(faulted).toEqual(clean);
  });
});
