// The clean run a fault case is judged against: the same events through a sink that nothing
// disturbs, into a database of its own in the same chDB session, then the indicators of both
// databases computed over every day the events count on. A fault case passes when every value
// (indicator, unit, period, day, numerator, denominator) is the same in both.
import { migrate } from '../../infra/clickhouse/migrate.ts';
import type { Store } from '../../infra/clickhouse/store.ts';
import { ensureTopics, createKafka } from '../../infra/kafka/client.ts';
import type { Config } from '../../schemas/config.ts';
import type { CanonicalEvent } from '../../schemas/events.ts';
import { computePeriods } from '../../indicators/compute.ts';
import { loadCatalogue, writeUnits } from '../../indicators/load.ts';
import { daysBetween, planPeriods } from '../../indicators/periods.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Service } from '../../lib/service.ts';
import { createSink } from '../../services/sink/index.ts';
import { createWorker } from '../../services/worker/index.ts';
import { randomName } from '../support/env.ts';
import { insertFixture } from '../integration/indicators-fixture.ts';
import { produceEvents, rawCounts, testKafka, waitUntil } from '../integration/sink-fixtures.ts';
import { indicatorLines, otherDatabase } from './reconcile.ts';

const DAY = /^(\d{4}-\d{2}-\d{2})T/;

/** The first and last day any date of the events falls on (Vietnam time is close enough: the range is padded a day). */
function dayRange(events: readonly CanonicalEvent[]): { from: string; to: string } {
  let from = '9999-12-31';
  let to = '0000-01-01';
  const see = (v: unknown) => {
    const m = typeof v === 'string' ? DAY.exec(v) : null;
    if (!m?.[1]) return;
    if (m[1] < from) from = m[1];
    if (m[1] > to) to = m[1];
  };
  for (const e of events) {
    see(e.updated_at);
    for (const v of Object.values(e.data)) see(v);
  }
  const pad = (d: string, days: number) => new Date(Date.parse(`${d}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  return { from: pad(from, -1), to: pad(to, 1) };
}

/** The catalogue and one commune per unit code, so that the views count the records of each. */
export async function referenceFor(store: Store, unitCodes: readonly string[]): Promise<void> {
  await loadCatalogue(store);
  const codes = [...new Set(unitCodes)].sort();
  await writeUnits(
    store,
    codes.map((code) => ({ code, name: `Đơn vị ${code}`, level: 'XA' as const, parent_code: '', valid_from: '2000-01-01', valid_to: null })),
  );
}

/** What a clean run ingests: a feed that produces onto the topics of a prefix, and how many distinct events it lands. */
export interface CleanFeed {
  produce(prefix: string, cfg: Config): Promise<void>;
  events: number;
  days: { from: string; to: string };
  /** One commune per code in both stores; or `reference`, which loads the clean store's like the faulted one's. */
  unitCodes?: readonly string[];
  reference?: (store: Store) => Promise<void>;
  /** false: keep the values the faulted stack's workflows left, and compare those (see sameValues). */
  recomputeFaulted?: boolean;
}

/** The feed of a list of canonical events, produced in order as connectors do (key = record id). */
export function eventFeed(cfg: Config, events: readonly CanonicalEvent[]): CleanFeed {
  return {
    events: new Set(events.map((e) => e.event_id)).size,
    unitCodes: events.map((e) => e.unit_code),
    days: dayRange(events),
    async produce(prefix) {
      const producer = testKafka(cfg.kafka.brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        await produceEvents(producer, prefix, [...events]);
      } finally {
        await producer.disconnect();
      }
    },
  };
}

/**
 * The indicator lines of the faulted store and of a clean run of the same feed (through a fresh sink
 * group on fresh topics of `cfg`'s broker, into a fresh database of the same chDB session). The
 * faulted store must already hold every event; reference data and values are written to both here.
 */
export async function beside(cfg: Config, store: Store, feed: CleanFeed, log: Logger): Promise<{ faulted: string[]; clean: string[] }> {
  const clean = otherDatabase(store, randomName('clean'));
  await store.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${clean.db}` });
  await migrate(clean, log);
  const prefix = `${randomName('p')}.`;
  const cleanCfg: Config = { ...cfg, kafka: { ...cfg.kafka, topicPrefix: prefix }, clickhouse: { ...cfg.clickhouse, database: clean.db } };
  await ensureTopics(createKafka(cleanCfg, log, 'clean-run'), prefix);
  const sink = createSink({ cfg: cleanCfg, store: clean, log, groupId: randomName('sink') });
  await sink.start();
  try {
    await feed.produce(prefix, cleanCfg);
    await waitUntil(async () => (await rawCounts(clean)).unique >= feed.events, 240_000, async () => `clean run: ${JSON.stringify(await rawCounts(clean))} of ${feed.events}`);
  } finally {
    await sink.stop();
  }
  const plan = planPeriods(daysBetween(feed.days.from, feed.days.to));
  if (feed.unitCodes) for (const s of [store, clean]) await referenceFor(s, feed.unitCodes);
  if (feed.reference) await feed.reference(clean);
  for (const s of feed.recomputeFaulted === false ? [clean] : [store, clean]) await computePeriods(s, [...plan.days, ...plan.longer], log);
  return { faulted: await indicatorLines(store), clean: await indicatorLines(clean) };
}

/**
 * The clean run of the compute cases: the indicator fixture in a fresh database of the same chDB
 * session, computed uninterrupted by a worker of its own on a fresh task queue (`execute` starts the
 * same workflow the faulted run ran, on that queue, and waits for it). The worker joins `workers`,
 * which the test stops. Returns the indicator lines of the faulted store and of the clean one.
 */
export async function besideFixture(
  cfg: Config,
  store: Store,
  log: Logger,
  workers: Service[],
  execute: (taskQueue: string) => Promise<unknown>,
): Promise<{ faulted: string[]; clean: string[] }> {
  const clean = otherDatabase(store, randomName('clean'));
  await store.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${clean.db}` });
  await migrate(clean, log);
  await insertFixture(clean);
  const cleanTq = randomName('tq');
  const cleanWorker = createWorker({ cfg: { ...cfg, temporal: { ...cfg.temporal, taskQueue: cleanTq } }, store: clean, log }, { schedule: false });
  workers.push(cleanWorker);
  await cleanWorker.start();
  await execute(cleanTq);
  return { faulted: await indicatorLines(store), clean: await indicatorLines(clean) };
}

/**
 * What differs between the values a faulted stack's workflows left and a clean run's computed over
 * the whole range: a line on one side only, or a different value. A clean line whose denominator is 0
 * (no record counts on that unit and day) need not have been written by the workflows.
 */
export function differences(faulted: readonly string[], clean: readonly string[]): string[] {
  const key = (l: string) => l.slice(0, l.indexOf(' = '));
  const f = new Map(faulted.map((l) => [key(l), l]));
  const c = new Map(clean.map((l) => [key(l), l]));
  const out: string[] = [];
  for (const [k, l] of c) {
    const mine = f.get(k);
    if (mine === undefined ? !l.endsWith('/0)') : mine !== l) out.push(`${k}: faulted ${mine ?? 'none'}, clean ${l}`);
  }
  for (const [k, l] of f) if (!c.has(k)) out.push(`${k}: faulted ${l}, clean none`);
  return out;
}
