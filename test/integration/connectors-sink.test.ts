// From export files to ClickHouse: the connectors produce the fixtures and the messy corpus, the real
// sink consumes them, and `waitForSink` (what `ingest --wait` uses) returns once the sink's group has
// committed past everything produced; then the tables hold every accepted record once, every reject,
// and the final state of every run.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { ingestPath } from '../../connectors/files.ts';
import type { RunSummary } from '../../connectors/run.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { randomName } from '../support/env.ts';
import { type ConnectorEnv, connectorEnv } from './connectors-helpers.ts';

const ROOT = join(import.meta.dirname, '..');

describe('connectors into the sink', () => {
  let env: ConnectorEnv;
  let store: Store;
  let sink: Sink;
  const groupId = randomName('sink');
  const runs: RunSummary[] = [];

  beforeAll(async () => {
    env = await connectorEnv();
    const log = createLogger('warn');
    store = await openStore(env.cfg.clickhouse);
    await migrate(store, log);
    sink = createSink({ cfg: env.cfg, store, log, groupId, options: { lingerMs: 200 } });
    await sink.start();
    const checkpoints = new FileCheckpoints(join(env.cfg.dataDir, 'checkpoints'));
    runs.push(...(await ingestPath(env.deps, { source: 'one-stop-shop', path: join(ROOT, 'fixtures', 'exports', 'one-stop-shop'), checkpoints })));
    runs.push(...(await ingestPath(env.deps, { source: 'one-stop-shop', path: join(ROOT, 'corpus', 'ho-so-loi.ndjson'), checkpoints })));
    runs.push(...(await ingestPath(env.deps, { source: 'public-service-portal', path: join(ROOT, 'corpus', 'thanh-toan-so-tien.csv'), checkpoints })));
    runs.push(...(await ingestPath(env.deps, { source: 'public-service-portal', path: join(ROOT, 'corpus', 'dich-vu-windows-1258.csv'), checkpoints })));
  });

  afterAll(async () => {
    await sink?.stop();
    await store?.close();
    await env?.close();
  });

  it('waits for the sink, then finds every record, reject and run in ClickHouse', async () => {
    const produced: Record<string, string> = {};
    for (const r of runs) for (const [k, v] of Object.entries(r.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
    await waitForSink({ kafka: env.kafka, groupId, produced, timeoutMs: 120_000 });

    // The final ledger rows were produced after the offsets were taken: poll briefly for them.
    const deadline = Date.now() + 60_000;
    let ledger: { run_id: string; status: string; read: string; accepted: string; rejected: string }[] = [];
    while (Date.now() < deadline) {
      ledger = await select(store, `SELECT run_id, toString(status) AS status, read, accepted, rejected FROM ${store.db}.ingest_runs FINAL ORDER BY run_id`);
      if (ledger.length === runs.length && ledger.every((l) => l.status !== 'running')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(ledger.map((l) => [l.run_id, l.status, Number(l.read), Number(l.accepted), Number(l.rejected)])).toEqual(
      [...runs].sort((a, b) => a.runId.localeCompare(b.runId)).map((r) => [r.runId, r.status, r.read, r.accepted, r.rejected]),
    );

    const dossiers = await select<{ record_id: string }>(store, `SELECT record_id FROM ${store.db}.dossiers FINAL ORDER BY record_id`);
    expect(dossiers.map((d) => d.record_id)).toEqual(['HS-001', 'HS-002', 'HS-003', 'HS-101', 'HS-107', 'HS-111']);
    const payments = await select<{ record_id: string; amount: string }>(store, `SELECT record_id, amount FROM ${store.db}.payments FINAL ORDER BY record_id`);
    expect(payments.map((p) => [p.record_id, Number(p.amount)])).toEqual([['GD-101', 1_250_000], ['GD-102', 1_250_000], ['GD-108', 20_000]]);

    const rejected = runs.reduce((n, r) => n + r.rejected, 0);
    const [rj] = await select<{ c: string }>(store, `SELECT count() AS c FROM ${store.db}.rejects`);
    expect(Number(rj?.c)).toBe(rejected);
    expect(rejected).toBe(9 + 5);
  });
});
