// The sink process is SIGKILLed after an insert and before its commit (twice: after the first insert
// of a batch, and after all of them), then restarted: the redelivered batches double nothing and
// the latest state is exact, and every indicator value equals a clean run's. The sink runs as a child process (services/sink/main.ts) that owns the
// chDB directory; the test opens that directory only after the last child has exited.
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { childSinkRig } from './sink-child.ts';
import { finishedLater, mixedEvents, produceEvents, rawCounts, waitUntil } from '../integration/sink-fixtures.ts';
import { expectedStatuses, latestStatuses } from './reconcile.ts';
import { beside, eventFeed } from './clean-run.ts';

const { cfg, prefix, admin, producer, lag, startSink, close } = childSinkRig();
let store: Store | undefined;

async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no exit within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

afterAll(async () => {
  await close();
  await store?.close();
});

describe('sink: SIGKILL between insert and commit', () => {
  it('redelivers after a crash without doubling anything', { timeout: 300_000 }, async () => {
    await admin.connect();
    await producer.connect();
    const events = mixedEvents(6000, 'K');
    // 200 dossiers finished later: the latest state must show the newer version.
    const updates = finishedLater(events, 200);
    const { ensureTopics, createKafka } = await import('../../infra/kafka/client.ts');
    await ensureTopics(createKafka(cfg, createLogger('warn'), 'sink-crash-test'), prefix);
    await produceEvents(producer, prefix, events);
    await produceEvents(producer, prefix, updates);
    const accepted = events.length + updates.length;
    const produced = await lag();
    expect(produced).toBe(accepted);

    for (const fault of ['sink-kill-after-insert', 'sink-kill-before-commit']) {
      const run = startSink(fault);
      const exit = await withDeadline(run.exited, 120_000, fault);
      expect(exit.signal, exit.log.slice(-2000)).toBe('SIGKILL');
      expect(exit.log).toContain('CHISO_FAULT: the sink kills itself');
      // Killed before any commit: the group has not moved.
      expect(await lag()).toBe(produced);
    }

    const run = startSink();
    await waitUntil(async () => (await lag()) === 0, 150_000, async () => `lag ${await lag()}`);
    run.child.kill('SIGTERM');
    const exit = await withDeadline(run.exited, 60_000, 'clean stop');
    expect(exit.code, exit.log.slice(-2000)).toBe(0);
    // The restarted sink met the rows its killed predecessor had written, and dropped them.
    const stopped = exit.log.split('\n').find((l) => l.includes('"msg":"sink stopped"'));
    expect(stopped).toBeDefined();
    expect((JSON.parse(stopped ?? '{}') as Record<string, number>).sink_duplicates_dropped_total).toBeGreaterThan(0);

    store = await openStore(cfg.clickhouse);
    await migrate(store, createLogger('warn'));
    expect(await rawCounts(store)).toEqual({ count: accepted, unique: accepted });
    // The exact latest state: every dossier once, with the status of its newest version.
    expect(await latestStatuses(store)).toEqual(expectedStatuses([...events, ...updates]));
    const [docs] = await select<{ n: string }>(store, `SELECT count() AS n FROM ${store.db}.documents FINAL`);
    expect(Number(docs?.n)).toBe(events.filter((e) => e.entity === 'documents').length);
    // Every indicator value equals a clean run's of the same events.
    const { faulted, clean } = await beside(cfg, store, eventFeed(cfg, [...events, ...updates]), createLogger('silent'));
    expect(faulted.length).toBeGreaterThan(100);
    expect(faulted).toEqual(clean);
  });
});
