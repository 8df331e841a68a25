// The store's disk refuses every write for a while under a writing sink: the chDB directory lives on
// a tmpfs of its own, which the test fills to the last byte (ENOSPC) and then frees again. Every
// insert fails meanwhile; the sink commits nothing, says so on its health, and once the disk takes
// writes again every event lands once and every indicator value equals a clean run's.
//
// Why not a read-only remount: the kernel refuses `remount,ro` (EBUSY) while chDB holds files open
// for writing, and the tests run as root, where file permissions refuse nothing. A full disk is what
// refuses root. Mounting needs CAP_SYS_ADMIN, which the CI container has; without it this test fails
// at set-up, saying so, rather than skipping.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, type Store } from '../../infra/clickhouse/store.ts';
import { createKafka, ensureTopics } from '../../infra/kafka/client.ts';
import type { Config } from '../../schemas/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { randomName, testConfig } from '../support/env.ts';
import { dossier, finishedLater, mixedEvents, produceEvents, rawCounts, testKafka, waitUntil } from '../integration/sink-fixtures.ts';
import { beside, eventFeed } from './clean-run.ts';
import { expectedStatuses, latestStatuses } from './reconcile.ts';

const log = createLogger('silent');
const mnt = mkdtempSync(join(tmpdir(), 'chiso-ro-disk-'));
const prefix = `${randomName('p')}.`;
let cfg: Config;
let store: Store | undefined;
let sink: Sink | undefined;
let producer: Producer | undefined;
let mounted = false;

/** Fills the tmpfs to its last block, so that every write there fails with ENOSPC. */
function fill(): void {
  const st = statfsSync(mnt);
  execFileSync('fallocate', ['-l', String(st.bavail * st.bsize), join(mnt, 'ballast')]);
  // What fallocate could not take (rounding), dd takes.
  execFileSync('sh', ['-c', `dd if=/dev/zero of=${join(mnt, 'ballast2')} bs=4096 2>/dev/null || true`]);
}

function mount(...args: string[]): void {
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`mount ${args.join(' ')} failed (this test needs root with CAP_SYS_ADMIN, as CI has): ${String((e as { stderr?: Buffer }).stderr ?? e)}`, { cause: e });
  }
}

beforeAll(async () => {
  mount('-t', 'tmpfs', '-o', 'size=1g', 'tmpfs', mnt);
  mounted = true;
  cfg = testConfig({ CHISO_DATA_DIR: mnt, KAFKA_TOPIC_PREFIX: prefix });
  store = await openStore(cfg.clickhouse);
  await migrate(store, log);
  await ensureTopics(createKafka(cfg, log, 'ro-disk-test'), prefix);
  sink = createSink({ cfg, store, log, groupId: randomName('sink'), options: { lingerMs: 200, backoffMs: { initial: 250, max: 2000 } } });
  await sink.start();
  producer = testKafka(cfg.kafka.brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
}, 180_000);

afterAll(async () => {
  rmSync(join(mnt, 'ballast'), { force: true });
  rmSync(join(mnt, 'ballast2'), { force: true });
  await producer?.disconnect();
  await sink?.stop().catch(() => undefined);
  await store?.close();
  if (mounted) execFileSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

describe('fault: the store disk refusing writes (full) for a while', () => {
  it('commits nothing meanwhile, then lands every event once with the values of a clean run', { timeout: 400_000 }, async () => {
    const s = store as Store;
    const first = dossier('HS-ERO', 2, '2025-03-01T08:00:00+07:00');
    await produceEvents(producer as Producer, prefix, [first]);
    await waitUntil(async () => (await rawCounts(s)).count === 1, 60_000, 'warm-up event not written');

    fill();
    expect(statfsSync(mnt).bavail).toBe(0);
    const events = mixedEvents(4000, 'ERO');
    const updates = finishedLater(events, 100);
    const all = [first, ...events, ...updates];
    await produceEvents(producer as Producer, prefix, [...events, ...updates]);
    await waitUntil(async () => ((sink as Sink).metrics().sink_insert_errors_total ?? 0) >= 3, 120_000, 'no refused insert seen');
    expect((await (sink as Sink).health()).ok).toBe(false);

    rmSync(join(mnt, 'ballast'));
    rmSync(join(mnt, 'ballast2'));
    await waitUntil(async () => (await rawCounts(s)).unique >= all.length && (await (sink as Sink).health()).ok, 240_000, async () => JSON.stringify(await rawCounts(s)));
    expect(await rawCounts(s)).toEqual({ count: all.length, unique: all.length });
    expect(await latestStatuses(s)).toEqual(expectedStatuses(all));

    const { faulted, clean } = await beside(cfg, s, eventFeed(cfg, all), log);
    expect(faulted.length).toBeGreaterThan(100);
    expect(faulted).toEqual(clean);
  });
});
