// Runs end to end: a run that cannot produce fails (never reports success) and says why; `waitForSink`
// resolves once a consumer group has committed past what a run produced, and times out with a clear
// message when nothing consumes; `chiso ingest` prints a summary per run, skips what it has already
// ingested and exits non-zero on a bad argument or a failed run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readNdjson } from '../../connectors/common/readers/ndjson.ts';
import { runIngestion } from '../../connectors/run.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { type ConnectorEnv, connectorEnv } from './connectors-helpers.ts';
import { randomName } from '../support/env.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'exports');

describe('connectors: runs, waiting for the sink, the CLI', () => {
  let env: ConnectorEnv;

  beforeAll(async () => {
    env = await connectorEnv();
  });

  afterAll(async () => {
    await env?.close();
  });

  it('fails a run whose events cannot be produced, with the reason', async () => {
    // Topics that were never created (auto-creation is off): nothing can be produced.
    const deps = { ...env.deps, topicPrefix: `${randomName('missing')}.` };
    const r = await runIngestion(deps, {
      runId: randomName('run'),
      source: 'public-service-portal',
      entity: 'ratings',
      origin: 'ratings.ndjson',
      records: readNdjson(join(FIXTURES, 'public-service-portal', 'ratings.ndjson')),
    });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/Kafka/);
    expect(r.read).toBe(r.accepted + r.rejected);
  });

  it('waits until a consumer group has committed past the produced offsets, and times out clearly otherwise', async () => {
    const r = await runIngestion(env.deps, {
      runId: randomName('run'),
      source: 'public-service-portal',
      entity: 'payments',
      origin: 'payments.ndjson',
      records: readNdjson(join(FIXTURES, 'public-service-portal', 'payments.ndjson')),
    });
    expect(r.status).toBe('succeeded');
    const produced = Object.fromEntries(Object.entries(r.producedOffsets).filter(([k]) => !k.startsWith(env.topics.runs)));
    expect(Object.keys(produced).length).toBeGreaterThan(0);

    const idle = randomName('nobody');
    await expect(waitForSink({ kafka: env.kafka, groupId: idle, produced, timeoutMs: 1500, pollMs: 300 })).rejects.toThrow(/sink may not be running/);

    // A consumer group standing in for the sink: it reads the source topic and commits as it goes.
    const group = randomName('sink');
    const consumer = env.kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic: env.topics.source('public-service-portal'), fromBeginning: true });
    await consumer.run({ autoCommitInterval: 200, eachMessage: async () => undefined });
    try {
      let last = { pending: -1, total: 0 };
      await waitForSink({ kafka: env.kafka, groupId: group, produced, timeoutMs: 60_000, pollMs: 300, onProgress: (p) => (last = p) });
      expect(last.pending).toBe(0);
    } finally {
      await consumer.disconnect();
    }
  });

  it('`chiso ingest` prints a summary per run, skips files already ingested, and exits non-zero on bad input', async () => {
    const stack = inject('stackEnv');
    const dataDir = mkdtempSync(join(tmpdir(), 'chiso-cli-ingest-'));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'services', 'cli', 'main.ts'), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME, KAFKA_BROKERS: stack.KAFKA_BROKERS, CHISO_DATA_DIR: dataDir, KAFKA_TOPIC_PREFIX: `${randomName('cli')}.` },
        timeout: 120_000,
      });

    const first = cli('ingest', '--direct', 'document-management', join(FIXTURES, 'document-management'), '--json');
    expect(first.status, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as { runs: { status: string; read: number; accepted: number; rejected: number }[] };
    expect(out.runs).toHaveLength(10);
    expect(out.runs.every((r) => r.status === 'succeeded' && r.read === 3 && r.accepted === 3 && r.rejected === 0)).toBe(true);

    // --wait with no sink running: the wait is bounded and says why it gave up.
    const waited = cli('ingest', '--direct', 'public-service-portal', join(FIXTURES, 'public-service-portal', 'ratings.ndjson'), '--wait', '--wait-timeout', '2');
    expect(waited.status).toBe(1);
    expect(waited.stdout).toContain('sink may not be running');

    const again = cli('ingest', '--direct', 'document-management', join(FIXTURES, 'document-management', 'van-ban.csv'));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already ingested by run-/);

    const bad = cli('ingest', '--direct', 'mot-cua', join(FIXTURES, 'document-management'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('expected one of one-stop-shop, document-management, public-service-portal');

    const badEntity = cli('ingest', '--direct', 'one-stop-shop', join(FIXTURES, 'one-stop-shop'), '--entity', 'payments');
    expect(badEntity.status).toBe(2);
    expect(badEntity.stderr).toContain('expected one of dossiers');

    const dir = mkdtempSync(join(tmpdir(), 'chiso-cli-bad-'));
    writeFileSync(join(dir, 'dossiers.json'), 'not json at all');
    const failed = cli('ingest', '--direct', 'one-stop-shop', join(dir, 'dossiers.json'));
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/FAILED[\s\S]*not a JSON export/);
  });
});
