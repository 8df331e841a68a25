// The all-in-one process's HTTP front on a real chDB store, the test broker and Temporal server:
// /health/live and /health/ready (503 with short reasons until the store is migrated and the sink
// consumes; details for operator tokens only), /metrics in Prometheus text with the figures of a real
// ingestion run, the sink's flushes and lag, a worker's activities and the API's requests; helmet's
// headers, the failed-authentication limit (429) and the body limits (413).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { ingestPath } from '../../connectors/files.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import { type ChisoProducer, createChisoProducer } from '../../connectors/producer.ts';
import type { IngestDeps, RunSummary } from '../../connectors/run.ts';
import { migrate, pendingMigrations } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import type { Config } from '../../schemas/config.ts';
import { topics } from '../../schemas/topics.ts';
import { readiness } from '../../services/all-in-one/health.ts';
import { buildHttp } from '../../services/all-in-one/http.ts';
import { createLogger } from '../../lib/logger.ts';
import type { Service } from '../../lib/service.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { timedActivities } from '../../services/worker/activity-metrics.ts';
import { randomName, testConfig } from '../support/env.ts';
import { createHelloActivities } from './fixtures/hello-activities.ts';
import { seedIoc, TOKEN_ENV, TOKENS } from './fixtures/ioc-seed.ts';

const CORPUS = join(import.meta.dirname, '..', 'corpus');
const PII_SECRET = 'test-secret-for-health-metrics-0123456789';
const AUTH_MAX = 5;
const AUTH_WINDOW_MS = 60_000;
Runtime.install({ logger: new DefaultLogger('WARN') });

/** One sample line of Prometheus text: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m?.[1] || m[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] ?? ''] = l[2] ?? '';
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

describe('health, metrics and HTTP hardening', () => {
  const log = createLogger('warn', { name: 'health-metrics-test' });
  const prefix = `${randomName('hm')}.`;
  let cfg: Config;
  let store: Store;
  let app: FastifyInstance;
  let kafka: Kafka;
  let producer: ChisoProducer;
  let deps: IngestDeps;
  let sink: Sink | undefined;
  const services: Service[] = [];
  let clock = Date.now();

  const scrape = async (): Promise<Sample[]> => {
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    return parseMetrics(r.body);
  };
  const ready = (token?: string) => app.inject({ method: 'GET', url: '/health/ready', headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    cfg = testConfig({ ...TOKEN_ENV, KAFKA_TOPIC_PREFIX: prefix, CHISO_PII_SECRET: PII_SECRET, CHISO_ROLES: 'api,sink' });
    store = await openStore(cfg.clickhouse);
    app = await buildHttp(log, { cfg, store, readiness: () => readiness(cfg, store, services), authLimit: { max: AUTH_MAX, windowMs: AUTH_WINDOW_MS, now: () => clock } });
    await app.ready();
    kafka = createKafka(cfg, log, randomName('hm-test'));
    await ensureTopics(kafka, prefix);
    producer = await createChisoProducer(kafka, log, { batchSize: 500 });
    deps = { producer, log, pseudonymise: pseudonymiser(PII_SECRET), topicPrefix: prefix };
  });

  afterAll(async () => {
    await sink?.stop();
    await producer?.disconnect();
    await app?.close();
    if (store) {
      await store.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
      await store.close();
    }
  });

  it('is live at once; ready only once the store is migrated and the sink consumes', async () => {
    const live = await app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.body).toBe('ok');

    const pending = await pendingMigrations(store);
    expect(pending.length).toBeGreaterThan(0);
    const before = await ready();
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({ status: 'not_ready', reasons: [`store not migrated (${pending.length} pending)`, 'sink: not started'] });
    // Short reasons only: no paths, addresses or versions for an anonymous caller.
    expect(before.body).not.toContain(cfg.clickhouse.chdbPath);
    expect(before.body).not.toContain(cfg.kafka.brokers[0] ?? '-');

    await migrate(store, log);
    await seedIoc(store);
    expect(await pendingMigrations(store)).toEqual([]);
    const migrated = await ready();
    expect(migrated.statusCode).toBe(503);
    expect(migrated.json()).toEqual({ status: 'not_ready', reasons: ['sink: not started'] });

    sink = createSink({ cfg, store, log, groupId: randomName('hm-sink'), options: { lingerMs: 200, quietMs: 50 } });
    await sink.start();
    services.push(sink);
    const after = await ready();
    expect(after.json()).toEqual({ status: 'ready', reasons: [] });
    expect(after.statusCode).toBe(200);
    // The former address answers as ready does, without details even for an operator.
    const old = await app.inject({ method: 'GET', url: '/health', headers: { authorization: `Bearer ${TOKENS.admin}` } });
    expect(old.statusCode).toBe(200);
    expect(old.json()).toEqual({ status: 'ready', reasons: [] });
  });

  it('gives details (where, versions, lag per partition) to operator tokens only', async () => {
    const operator = await ready(TOKENS.admin);
    expect(operator.statusCode).toBe(200);
    const body = operator.json<{ status: string; details: { roles: string[]; pendingMigrations: string[]; parts: Record<string, Record<string, unknown>> } }>();
    expect(body.status).toBe('ready');
    expect(body.details.roles).toEqual(['api', 'sink']);
    expect(body.details.pendingMigrations).toEqual([]);
    expect(body.details.parts.clickhouse).toMatchObject({ ok: true, mode: 'chdb', where: cfg.clickhouse.chdbPath, version: expect.stringMatching(/^\d+\.\d+/) });
    expect(body.details.parts.kafka).toMatchObject({ ok: true, where: cfg.kafka.brokers.join(',') });
    const lag = body.details.parts.sink?.lag as Record<string, number>;
    expect(Object.keys(lag)).toContain(`${prefix}chiso.runs.v1:0`);

    for (const token of [TOKENS.ward, TOKENS.city]) {
      const scoped = await ready(token);
      expect(scoped.statusCode).toBe(200);
      expect(scoped.json()).toEqual({ status: 'ready', reasons: [] });
    }
    const unknown = await ready('not-a-known-token-0000');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).not.toContain('details');
  });

  it('counts an ingestion run, the sink flushes and the lag per partition in /metrics', async () => {
    const m0 = await scrape();
    const labels = { source: 'one-stop-shop', entity: 'dossiers' };
    const runs: RunSummary[] = await ingestPath(deps, { source: 'one-stop-shop', path: join(CORPUS, 'ho-so-loi.ndjson'), checkpoints: new FileCheckpoints(join(cfg.dataDir, 'checkpoints')) });
    expect(runs).toHaveLength(1);
    const run = runs[0] as RunSummary;
    expect(run.status).toBe('succeeded');
    expect(run.entity).toBe('dossiers');
    expect(run.accepted).toBeGreaterThan(0);
    expect(run.rejected).toBeGreaterThan(0);

    const m1 = await scrape();
    const delta = (name: string, l: Record<string, string> = labels) => valueOf(m1, name, l) - valueOf(m0, name, l);
    expect(delta('chiso_ingest_records_read_total')).toBe(run.read);
    expect(delta('chiso_ingest_records_accepted_total')).toBe(run.accepted);
    expect(delta('chiso_ingest_records_rejected_total')).toBe(run.rejected);
    expect(delta('chiso_ingest_runs_total', { ...labels, status: 'succeeded' })).toBe(1);

    // The sink writes what the run produced: events, rejects, the two ledger rows; then no lag is left.
    const deadline = Date.now() + 60_000;
    let m2 = m1;
    const written = () => valueOf(m2, 'chiso_sink_events_written_total') + valueOf(m2, 'chiso_sink_duplicates_dropped_total') - valueOf(m0, 'chiso_sink_events_written_total') - valueOf(m0, 'chiso_sink_duplicates_dropped_total');
    const lagged = () => m2.filter((s) => s.name === 'chiso_sink_consumer_lag_messages' && s.labels.topic?.startsWith(prefix));
    while ((written() < run.accepted || lagged().some((s) => s.value > 0) || lagged().length === 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      m2 = await scrape();
    }
    expect(written()).toBe(run.accepted);
    expect(valueOf(m2, 'chiso_sink_rejects_total') - valueOf(m0, 'chiso_sink_rejects_total')).toBe(run.rejected);
    const flushes = valueOf(m2, 'chiso_sink_flushes_total') - valueOf(m0, 'chiso_sink_flushes_total');
    expect(flushes).toBeGreaterThan(0);
    expect(valueOf(m2, 'chiso_sink_insert_duration_seconds_count') - valueOf(m0, 'chiso_sink_insert_duration_seconds_count')).toBeGreaterThanOrEqual(flushes);
    expect(valueOf(m2, 'chiso_sink_batch_rows_sum') - valueOf(m0, 'chiso_sink_batch_rows_sum')).toBe(run.read + 2);
    // One gauge per partition of every topic the sink reads, labelled topic and partition, at 0 now.
    const lag = lagged();
    expect(lag.map((s) => `${s.labels.topic}:${s.labels.partition}`)).toEqual(expect.arrayContaining(topics(prefix).all.flatMap((t) => [`${t}:0`, `${t}:1`, `${t}:2`])));
    expect(lag.every((s) => s.value === 0)).toBe(true);
    // The process's own metrics come along.
    expect(valueOf(m2, 'chiso_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('measures API requests by route pattern and status, never by raw URL', async () => {
    const m0 = await scrape();
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({ method: 'GET', url: '/api/v1/values?unit=X0101', headers: { authorization: `Bearer ${TOKENS.admin}` } });
      expect(r.statusCode).toBe(200);
    }
    const forbidden = await app.inject({ method: 'GET', url: '/api/v1/values?unit=H01', headers: { authorization: `Bearer ${TOKENS.ward}` } });
    expect(forbidden.statusCode).toBe(403);
    const m1 = await scrape();
    const count = (l: Record<string, string>) => valueOf(m1, 'chiso_http_request_duration_seconds_count', l) - valueOf(m0, 'chiso_http_request_duration_seconds_count', l);
    expect(count({ method: 'GET', route: '/api/v1/values', status: '200' })).toBe(3);
    expect(count({ method: 'GET', route: '/api/v1/values', status: '403' })).toBe(1);
    expect(m1.some((s) => s.labels.route?.includes('X0101'))).toBe(false);
  });

  it('times Temporal activities by name and outcome', async () => {
    const before = await scrape();
    const taskQueue = randomName('tq');
    const connection = await Connection.connect({ address: cfg.temporal.address });
    const native = await NativeConnection.connect({ address: cfg.temporal.address });
    try {
      const worker = await Worker.create({
        connection: native,
        namespace: cfg.temporal.namespace,
        taskQueue,
        workflowsPath: fileURLToPath(new URL('./fixtures/hello-workflows.ts', import.meta.url)),
        activities: timedActivities(createHelloActivities({ greeting: 'Xin chào' })),
      });
      const client = new Client({ connection, namespace: cfg.temporal.namespace });
      const result = await worker.runUntil(client.workflow.execute('helloWorkflow', { taskQueue, workflowId: randomName('wf'), args: ['Phường Trần Phú'] }));
      expect(result).toBe('Xin chào, Phường Trần Phú');
    } finally {
      await connection.close();
      await native.close();
    }
    // A failing attempt is counted as a failure, and the error still reaches Temporal unchanged.
    const failing = timedActivities({ broken: async (): Promise<void> => Promise.reject(new Error('no ClickHouse')) });
    await expect(failing.broken()).rejects.toThrow('no ClickHouse');

    const after = await scrape();
    const count = (l: Record<string, string>) => valueOf(after, 'chiso_activity_duration_seconds_count', l) - valueOf(before, 'chiso_activity_duration_seconds_count', l);
    expect(count({ activity: 'greet', outcome: 'success' })).toBe(1);
    expect(count({ activity: 'broken', outcome: 'failure' })).toBe(1);
  });

  it('sends security headers, with a CSP for the dashboard', async () => {
    for (const url of ['/', '/api/v1/units', '/health/ready']) {
      const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKENS.admin}` } });
      expect(r.statusCode, url).toBe(200);
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('answers 429 to an address after too many unknown tokens, while others and valid tokens go on', async () => {
    const from = (remoteAddress: string, token: string, url = '/api/v1/units') => app.inject({ method: 'GET', url, remoteAddress, headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < AUTH_MAX; i++) expect((await from('10.9.0.1', `guess-${i}-000000000000`)).statusCode).toBe(401);
    const blocked = await from('10.9.0.1', 'guess-x-000000000000');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBe(AUTH_WINDOW_MS / 1000);
    expect(blocked.json()).toMatchObject({ error: 'too_many_requests', field: 'authorization' });
    // Blocked even with a valid token, and on /health/ready with a token, until the window ends.
    expect((await from('10.9.0.1', TOKENS.admin)).statusCode).toBe(429);
    expect((await from('10.9.0.1', TOKENS.admin, '/health/ready')).statusCode).toBe(429);
    // The anonymous probes are not held back: they carry no token to guess with.
    expect((await app.inject({ method: 'GET', url: '/health/live', remoteAddress: '10.9.0.1' })).statusCode).toBe(200);
    // Another address is not.
    expect((await from('10.9.0.2', TOKENS.admin)).statusCode).toBe(200);
    // After the window, the first address may try again.
    clock += AUTH_WINDOW_MS;
    expect((await from('10.9.0.1', TOKENS.admin)).statusCode).toBe(200);
    expect((await from('10.9.0.1', 'guess-y-000000000000')).statusCode).toBe(401);
  });

  it('refuses bodies over the route limit with 413', async () => {
    const post = (url: string, body: string) =>
      app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' }, payload: body });
    const sql = (n: number) => JSON.stringify({ sql: `SELECT 1 -- ${'x'.repeat(n)}`, format: 'JSONEachRow' });
    // The SQL endpoint takes up to 256 KiB; 40 KiB passes.
    expect((await post('/api/v1/internal/query', sql(40 * 1024))).statusCode).toBe(200);
    const big = await post('/api/v1/internal/query', sql(300 * 1024));
    expect(big.statusCode).toBe(413);
    // Any other route: 16 KiB at most.
    expect((await post('/api/v1/units', sql(100))).statusCode).toBe(404);
    expect((await post('/api/v1/units', sql(20 * 1024))).statusCode).toBe(413);
  });
});
