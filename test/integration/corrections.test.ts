// Corrections and late data, end to end (issue 19): exports go through the real Kafka and sink into
// chDB, the nightly workflow runs on the real Temporal with the chiso worker after each step, and
// then EVERY indicator value of March 2025 (each unit, day, the month, the quarter, the year) must
// equal a computation from scratch of the same data (indicator values emptied, the whole range
// computed again). Steps: a first export; corrections (received dates moved, statuses advanced,
// dossiers moved to another ward), late arrivals, payments of dossiers not yet received and a
// changed catalogue; then versions out of order, duplicates and the dossiers those payments named.
// A second case: records of a ward the units table does not know yet, then an import of units that
// adds that ward and re-parents another from mid-March.
import type { Client } from '@temporalio/client';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import type { Config } from '../../schemas/config.ts';
import type { CanonicalEvent } from '../../schemas/events.ts';
import type { UnitRow } from '../../indicators/import.ts';
import { daysBetween } from '../../indicators/periods.ts';
import { createLogger } from '../../lib/logger.ts';
import { randomName } from '../support/env.ts';
import {
  corrected,
  type DossierVersion,
  documentEvent,
  dossierEvent,
  march,
  newDossier,
  payment,
  random,
  rating,
  service,
  WARDS,
  workRecord,
} from './corrections-data.ts';
import { openPipeline, type PipelineRig } from './pipeline-rig.ts';
import { produceEvents, waitUntil } from './sink-fixtures.ts';

const log = createLogger('warn');
const MARCH = daysBetween('2025-03-01', '2025-03-31');
const UNITS: UnitRow[] = [
  { code: 'T01', name: 'Tỉnh Sông Hồng', level: 'TINH', parent_code: '', valid_from: '2020-01-01', valid_to: null },
  { code: 'H01', name: 'Thành phố Hòa Bình', level: 'HUYEN', parent_code: 'T01', valid_from: '2020-01-01', valid_to: null },
  { code: 'H02', name: 'Huyện Yên Sơn', level: 'HUYEN', parent_code: 'T01', valid_from: '2020-01-01', valid_to: null },
  ...['X0101', 'X0102', 'X0103', 'X0104'].map((code) => ({ code, name: `Phường ${code}`, level: 'XA' as const, parent_code: 'H01', valid_from: '2020-01-01', valid_to: null })),
  ...['X0201', 'X0202'].map((code) => ({ code, name: `Xã ${code}`, level: 'XA' as const, parent_code: 'H02', valid_from: '2020-01-01', valid_to: null })),
];

describe('corrections and late data: incremental equals from scratch', () => {
  let rig: PipelineRig;
  let cfg: Config;
  let store: Store;
  let client: Client;
  let producer: Producer;
  let prefix: string;
  const rnd = random(19);
  const dossiers = new Map<string, DossierVersion>();

  beforeAll(async () => {
    rig = await openPipeline({ name: 'corr', units: UNITS, lingerMs: 100, log });
    ({ cfg, store, client, producer, prefix } = rig);
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** Sends the events in this order (each call one produce: later calls come later on every partition) and waits until the sink wrote them all. */
  async function ingest(...groups: CanonicalEvent[][]): Promise<void> {
    for (const g of groups) await produceEvents(producer, prefix, g);
    const ids = [...new Set(groups.flat().map((e) => e.event_id))];
    const written = async () => {
      const [r] = await select<{ n: string }>(store, `SELECT uniqExact(event_id) AS n FROM ${store.db}.raw_events WHERE event_id IN {ids:Array(String)}`, { ids });
      return Number(r?.n ?? 0);
    };
    await waitUntil(async () => (await written()) === ids.length, 60_000, async () => `${await written()} of ${ids.length} events written`);
  }

  /** Runs the nightly workflow, then checks every value against a computation from scratch (which then stands). */
  async function nightlyEqualsScratch(): Promise<{ computedDays: string[]; compared: number }> {
    const run = (await rig.nightly('2025-04-01')) as { computedDays: string[] };
    const { differences, compared } = await rig.againstScratch(MARCH);
    expect(differences).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
    return { computedDays: run.computedDays, compared };
  }

  const version = (d: DossierVersion) => {
    dossiers.set(d.id, d);
    return dossierEvent(d);
  };
  const get = (n: number) => dossiers.get(`HS-${String(n).padStart(3, '0')}`)!;
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const otherWard = (unit: string) => WARDS[(WARDS.indexOf(unit) + 3) % WARDS.length]!;

  it('after a first export, corrections, late arrivals and versions out of order, each nightly run leaves every value as from scratch', async () => {
    // 1. A first export of every source.
    const catalogue = WARDS.flatMap((w, i) => [
      service(`DV-${w}-P1`, w, 'P1', 'full', '2025-03-01', 0, i % 2 === 0),
      service(`DV-${w}-P2`, w, 'P2', 'partial', '2025-03-01', 0),
    ]);
    const first = range(1, 40).map((n) => version(newDossier(rnd, n)));
    const payments = range(1, 10).map((n) => payment(`TT-${n}`, 'X0101', get(n).id, Math.min(28, get(n).received + 1), n % 2 === 0, 0));
    const ratings = range(1, 8).map((n) => rating(`DG-${n}`, 'X0102', get(10 + n).id, Math.min(28, get(10 + n).received + 2), n % 3 !== 0, 0));
    const documents = range(1, 12).map((n) => documentEvent(`VB-${n}`, WARDS[n % WARDS.length]!, 1 + ((n * 5) % 20), n % 3 !== 0, 0));
    const records = range(1, 8).map((n) => workRecord(`CV-${n}`, WARDS[n % WARDS.length]!, 2 + ((n * 3) % 15), n % 2 === 0, 0));
    await ingest([...catalogue, ...first, ...payments, ...ratings, ...documents, ...records]);
    const one = await nightlyEqualsScratch();
    expect(one.computedDays).toContain('2025-03-31');

    // 2. Corrections: received dates moved and statuses advanced; dossiers moved to another ward;
    // late dossiers of early March; payments of dossiers not received yet; a catalogue that changed.
    const moved = range(1, 15).map((n) => version(corrected(rnd, get(n), 1)));
    const rehomed = range(16, 20).map((n) => version(corrected(rnd, get(n), 1, { unit: otherWard(get(n).unit) })));
    const late = range(41, 55).map((n) => version(newDossier(rnd, n)));
    const early = range(11, 20).map((n) => payment(`TT-${n}`, 'X0201', `HS-0${45 + n}`, 3 + n, n % 3 === 0, 1));
    const docs = range(1, 5).map((n) => documentEvent(`VB-${n}`, WARDS[n % WARDS.length]!, 22 - n, n % 2 === 0, 1));
    const catalogueChanged = [service('DV-X0101-P3', 'X0101', 'P3', 'full', '2025-03-10', 1), service('DV-X0102-P2', 'X0102', 'P2', 'full', '2025-03-01', 1, true)];
    await ingest([...moved, ...rehomed, ...late, ...early, ...docs, ...catalogueChanged]);
    const two = await nightlyEqualsScratch();
    // The days the moved dossiers left are among those recomputed.
    expect(two.computedDays.length).toBeGreaterThan(10);

    // 3. Out of order: the third version of five dossiers, then their second (older) one; the
    // dossiers the early payments named, in other wards; more moves between wards; a replayed
    // part of the first export; ratings, work records and a payment corrected.
    const third = range(1, 5).map((n) => corrected(rnd, get(n), 3));
    const stale = range(1, 5).map((n) => dossierEvent(corrected(rnd, get(n), 2)));
    const named = range(56, 60).map((n) => version(newDossier(rnd, n, WARDS[n % 3])));
    const rehomed2 = range(21, 25).map((n) => version(corrected(rnd, get(n), 1, { unit: otherWard(get(n).unit) })));
    const moreRatings = range(9, 15).map((n) => rating(`DG-${n}`, 'X0202', get(32 + n).id, 10 + n, n % 2 === 0, 1));
    const ratingMoved = [rating('DG-1', 'X0102', get(11).id, 25, false, 2)];
    const recordsMoved = range(1, 4).map((n) => workRecord(`CV-${n}`, WARDS[(n + 1) % WARDS.length]!, 20 + n, n % 2 !== 0, 1));
    const paymentMoved = [payment('TT-3', 'X0101', get(3).id, 27, true, 2)];
    await ingest(third.map(version), [...stale, ...named, ...rehomed2, ...first.slice(29, 35), ...moreRatings, ...ratingMoved, ...recordsMoved, ...paymentMoved]);
    await nightlyEqualsScratch();
    // The older version did not win over the newer one.
    const [hs1] = await select<{ day: string }>(store, `SELECT toString(toDate(received_at, 'Asia/Ho_Chi_Minh')) AS day FROM ${store.db}.dossiers FINAL WHERE record_id = 'HS-001'`);
    expect(hs1?.day).toBe(march(get(1).received));
  });

  it('records of a ward unknown until an import of units are counted once it comes; a re-parented ward rolls up into its new district', async () => {
    const x0105 = range(101, 110).map((n) => version(newDossier(rnd, n, 'X0105')));
    const x0104 = range(111, 118).map((n) => version({ ...newDossier(rnd, n, 'X0104'), received: 10 + (n % 10) }));
    await ingest([...x0105, ...x0104]);
    await nightlyEqualsScratch();
    // Kept and shown: the data-quality view counts them under their unknown code, and the corrections of the first case.
    const quality = await select<{ metric: string; reason: string; n: string }>(
      store,
      `SELECT metric, reason, sum(n) AS n FROM ${store.db}.v_data_quality WHERE metric IN ('unknown_unit', 'correction') GROUP BY metric, reason ORDER BY metric, reason`,
    );
    expect(Number(quality.find((q) => q.metric === 'unknown_unit' && q.reason === 'X0105')?.n)).toBe(x0105.length);
    expect(Number(quality.find((q) => q.metric === 'correction')?.n ?? 0)).toBeGreaterThanOrEqual(30);

    const moved = [
      { code: 'X0104', name: 'Phường X0104', level: 'XA' as const, parent_code: 'H01', valid_from: '2020-01-01', valid_to: '2025-03-14' },
      { code: 'X0104', name: 'Phường X0104', level: 'XA' as const, parent_code: 'H02', valid_from: '2025-03-15', valid_to: null },
      { code: 'X0105', name: 'Phường X0105', level: 'XA' as const, parent_code: 'H01', valid_from: '2020-01-01', valid_to: null },
    ];
    const r = (await client.workflow.execute('importData', { taskQueue: cfg.temporal.taskQueue, workflowId: randomName('import'), args: [{ kind: 'units', rows: moved }] })) as {
      written: number;
      daysToRecompute: number;
    };
    expect(r.written).toBe(3);
    expect(r.daysToRecompute).toBeGreaterThan(0);
    await nightlyEqualsScratch();
    const [v] = await select<{ den: number }>(
      store,
      `SELECT denominator AS den FROM ${store.db}.v_indicator_values WHERE indicator = 'dossier_online' AND unit_code = 'X0105' AND period = 'month' AND period_start = '2025-03-01'`,
    );
    expect(v?.den).toBe(x0105.length);
  });
});
