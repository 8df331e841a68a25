// The soak: `npm run soak -- --minutes N`. A private stack of its own (Kafka broker, Temporal dev
// server, the chiso process on chDB, under a throw-away data directory) ingests generated exports
// continuously, with a hostile file every round, while each real part is killed with SIGKILL and
// restarted at random moments; the nightly workflow runs after every round. Then it reconciles:
// read = accepted + rejected for every run, every accepted record in raw_events once (lost 0,
// doubled 0), and every indicator value equal to a computation from scratch over the same data.
// Exit code 0 only when all of that holds; the figures go to stdout (and --json).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { stackPaths } from '../../infra/paths.ts';
import { isAlive, runningPid, stopManaged } from '../../infra/process.ts';
import { generateSamples, type Manifest } from '../../infra/samples/generate.ts';
import { Rng, seedOf } from '../../infra/samples/random.ts';
import { down, up } from '../../infra/stack.ts';
import { loadConfig } from '../../schemas/config.ts';
import { computePeriods } from '../../indicators/compute.ts';
import { daysBetween, planPeriods } from '../../indicators/periods.ts';
import { createLogger } from '../../lib/logger.ts';
import { freePortRun } from '../support/ports.ts';

const BIN = fileURLToPath(new URL('../../bin/chiso.js', import.meta.url));
const UNITS = fileURLToPath(new URL('../../infra/data/units.csv', import.meta.url));
const ENTITIES = [
  { source: 'one-stop-shop', entity: 'dossiers', file: 'one-stop-shop/dossiers.ndjson' },
  { source: 'document-management', entity: 'documents', file: 'document-management/documents.ndjson' },
  { source: 'document-management', entity: 'work-records', file: 'document-management/work-records.ndjson' },
  { source: 'public-service-portal', entity: 'payments', file: 'public-service-portal/payments.ndjson' },
  { source: 'public-service-portal', entity: 'ratings', file: 'public-service-portal/ratings.ndjson' },
] as const;
type Part = 'kafka' | 'temporal' | 'chiso';
const PARTS: Part[] = ['kafka', 'temporal', 'chiso'];

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string', default: 'soak' },
    from: { type: 'string', default: '2025-01-01' },
    to: { type: 'string', default: '2025-03-31' },
    rounds: { type: 'string', default: '12' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`npm run soak -- [--minutes N] [--seed S] [--from YYYY-MM-DD --to YYYY-MM-DD] [--rounds R] [--json] [--keep]

Ingests the exports generated for --from..--to (seed S), split into R rounds, through a private stack
while killing and restarting Kafka, Temporal and the chiso process at random; keeps going for at least
--minutes (the rounds repeat as replays of the same files once all are in), with a hostile file in
each of the first R rounds (a NUL byte and 300 characters in a unit code, a control character and
300 characters in a record id, a cut-off JSON line, invalid UTF-8); then reconciles and prints the
figures. Exit code 0 when every run has read = accepted + rejected, nothing was lost or doubled, no
replay wrote a row, no hostile record landed, every expected reject is there and every indicator
value equals a computation from scratch. Figures and how to read them: docs/reliability.md.
`);
  process.exit(0);
}
const minutes = Number(args.minutes);
const rounds = Number(args.rounds);
if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`--minutes: expected a positive number, got '${args.minutes}'`);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a whole number >= 1, got '${args.rounds}'`);

const say = (line: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const rng = new Rng(seedOf(args.seed));
const work = mkdtempSync(join(tmpdir(), 'chiso-soak-'));
const dataDir = join(work, 'data');
const exportsDir = join(work, 'exports');

const k = await freePortRun(2);
const t = await freePortRun(4);
const env: Record<string, string> = {
  CHISO_DATA_DIR: dataDir,
  KAFKA_PORT: String(k),
  KAFKA_CONTROLLER_PORT: String(k + 1),
  TEMPORAL_PORT: String(t),
  TEMPORAL_UI_PORT: String(t + 3),
  CHISO_API_PORT: String(await freePortRun(1)),
  CHISO_API_TOKENS: `soak-${randomBytes(12).toString('hex')}`,
  CHISO_PII_SECRET: `soak-pii-${randomBytes(12).toString('hex')}`,
  CHISO_LOG_LEVEL: 'warn',
  KAFKA_BROKERS: '',
  TEMPORAL_ADDRESS: '',
  CLICKHOUSE_URL: '',
};
// The detached parts inherit this process's environment (infra/stack.ts).
Object.assign(process.env, env);
const cfg = loadConfig(process.env);
const paths = stackPaths(cfg);

interface Cli {
  code: number;
  out: string;
  err: string;
}
function chiso(cliArgs: string[], timeoutMs = 300_000): Promise<Cli> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...cliArgs], { env: process.env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (e, out, err) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }),
    );
  });
}

/** A command retried until it exits 0 (a part it needs may be down right now), within a bound. */
async function until(what: string, cliArgs: string[], boundMs = 600_000): Promise<Cli> {
  const deadline = Date.now() + boundMs;
  let attempts = 0;
  for (;;) {
    attempts++;
    const r = await chiso(cliArgs);
    if (r.code === 0) return r;
    if (Date.now() > deadline) throw new Error(`${what}: still failing after ${attempts} attempts: ${r.err.trim().split('\n').slice(-3).join(' | ')}`);
    say(`${what}: attempt ${attempts} failed (${r.err.trim().split('\n').at(-1) ?? `exit ${r.code}`}); again`);
    await new Promise((res) => setTimeout(res, 2_000 + rng.int(0, 3_000)));
  }
}

// --- the exports: one generation of the period, split into rounds by lines (record ids never repeat) ---
say(`generating exports ${args.from}..${args.to} (seed ${args.seed})`);
const manifest: Manifest = await generateSamples({ out: join(work, 'generated'), from: args.from, to: args.to, scale: 1, seed: args.seed });
const expected = { records: 0, badRows: 0, hostile: 0 };
const files: { source: string; entity: string; path: string }[][] = Array.from({ length: rounds }, () => []);
for (const e of ENTITIES) {
  const lines = readFileSync(join(work, 'generated', e.file), 'utf8').split('\n').filter((l) => l !== '');
  const bad = new Set((manifest.files[e.file]?.bad ?? []).map((b) => Number(b.location)));
  const per = Math.ceil(lines.length / rounds);
  for (let r = 0; r < rounds; r++) {
    const from = r * per;
    const part = lines.slice(from, from + per);
    if (part.length === 0) continue;
    const path = join(exportsDir, `round-${String(r).padStart(2, '0')}`, `${e.entity}.ndjson`);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${part.join('\n')}\n`);
    files[r]?.push({ source: e.source, entity: e.entity, path });
    for (let i = 0; i < part.length; i++) {
      if (bad.has(from + i + 1)) expected.badRows++;
      else expected.records++;
    }
  }
}
const services = join(work, 'generated', 'public-service-portal', 'services.json');
const servicesBad = manifest.files['public-service-portal/services.json']?.bad.length ?? 0;
const servicesCount = (JSON.parse(readFileSync(services, 'utf8')) as { data: unknown[] }).data.length - servicesBad;

/** Records no export should carry: each is a reject with its reason, and the next file still lands. */
function hostileFile(round: number): string {
  const path = join(exportsDir, `round-${String(round).padStart(2, '0')}`, 'dossiers-hostile.ndjson');
  const base = { MaTTHC: '1.000105', KenhThucHien: 2, NgayNopHoSo: '20250101011908', NgayTiepNhan: '20250101083200', TrangThaiHoSo: 4 };
  const rows = [
    JSON.stringify({ hoSo: { ...base, MaHoSo: `SOAK-${round}-NUL`, DonViXuLy: 'X01\u000001' } }),
    JSON.stringify({ hoSo: { ...base, MaHoSo: `SOAK-${round}-LONG`, DonViXuLy: 'X'.repeat(300) } }),
    JSON.stringify({ hoSo: { ...base, MaHoSo: `SOAK-${round}-CTRL\u0007`, DonViXuLy: 'T01' } }),
    JSON.stringify({ hoSo: { ...base, MaHoSo: 'Y'.repeat(300), DonViXuLy: 'T01' } }),
    '{"hoSo": {"MaHoSo": "cut off',
  ];
  const bytes = Buffer.concat([Buffer.from(`${rows.join('\n')}\n`), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a])]);
  writeFileSync(path, bytes);
  expected.hostile += rows.length + 1;
  return path;
}

// --- chaos: one part at a time, SIGKILL, then restarted by `up` ---
const faults: Record<Part, number> = { kafka: 0, temporal: 0, chiso: 0 };
const restarts: Record<Part, number> = { kafka: 0, temporal: 0, chiso: 0 };
let chaosOn = true;
async function chaos(): Promise<void> {
  while (chaosOn) {
    await new Promise((res) => setTimeout(res, 15_000 + rng.int(0, 30_000)));
    if (!chaosOn) break;
    const part = rng.pick(PARTS);
    // runningPid checks the recorded start time: a stale pid file never makes the soak kill another process.
    const pid = runningPid(paths[part === 'chiso' ? 'app' : part]);
    if (pid === undefined) continue;
    say(`SIGKILL ${part} (pid ${pid})`);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
    const gone = Date.now() + 30_000;
    while (isAlive(pid) && Date.now() < gone) await new Promise((res) => setTimeout(res, 100));
    if (isAlive(pid)) throw new Error(`${part} (pid ${pid}) still alive 30 s after SIGKILL`);
    faults[part]++;
    // Pacing: the part stays down for 1 to 9 s while the rounds go on.
    await new Promise((res) => setTimeout(res, 1_000 + rng.int(0, 8_000)));
    await restart();
    if (runningPid(paths[part === 'chiso' ? 'app' : part]) === undefined) throw new Error(`${part} not running after the restart`);
    restarts[part]++;
  }
}
async function restart(): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      await up(cfg, () => undefined, { headless: true });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      say(`restart: ${(e as Error).message.split('\n')[0]}; again`);
    }
  }
}

// --- the run ---
const started = Date.now();
const report = {
  seed: args.seed,
  from: args.from,
  to: args.to,
  rounds: 0,
  passes: 0,
  records: 0,
  runs: 0,
  replayRuns: 0,
  read: 0,
  accepted: 0,
  rejected: 0,
  faults,
  restarts,
  badInputs: 0,
  hostileFiles: 0,
  hostileLanded: 0,
  rejectsExpected: 0,
  rejectsFound: 0,
  lost: 0,
  doubled: 0,
  replayRowsWritten: 0,
  failedRuns: 0,
  unreconciledRuns: 0,
  valueMismatches: 0,
  values: 0,
  minutes: 0,
};
let ok = false;
try {
  say(`starting the stack under ${dataDir}`);
  await up(cfg, say, { headless: true });
  await until('import-units', ['import-units', UNITS]);
  await until('ingest services', ['ingest', 'public-service-portal', services, '--entity', 'services', '--json']);
  const chaosDone = chaos();
  let round = 0;
  let passes = 0;
  while (round < rounds || Date.now() - started < minutes * 60_000) {
    const r = round % rounds;
    say(`round ${round + 1}${round >= rounds ? ' (a replay pass of the same files)' : ''}: ${files[r]?.length ?? 0} exports`);
    if (round < rounds) {
      await until('ingest hostile', ['ingest', 'one-stop-shop', hostileFile(r), '--entity', 'dossiers', '--json']);
      report.hostileFiles++;
    }
    for (const f of files[r] ?? []) {
      await until(`ingest ${f.entity}`, ['ingest', f.source, f.path, '--entity', f.entity, '--json', ...(round >= rounds ? ['--force'] : [])]);
    }
    await until('nightly', ['nightly', '--date', args.to, '--wait', '--json']);
    round++;
    if (round % rounds === 0) passes++;
  }
  report.rounds = round;
  report.passes = passes;
  chaosOn = false;
  await chaosDone;
  await restart();
  say(`chaos over after ${passes} pass(es): faults ${JSON.stringify(faults)}; letting the sink catch up`);

  // Everything accepted must reach raw_events: wait for it, with a bound.
  const want = expected.records + servicesCount;
  const catchUp = Date.now() + 600_000;
  let have = -1;
  while (Date.now() < catchUp) {
    const q = await chiso(['query', 'SELECT count() AS n FROM chiso.v_raw_event_keys', '--format', 'JSONEachRow']);
    have = q.code === 0 ? Number((JSON.parse(q.out) as { n: string }).n) : -1;
    if (have >= want) break;
    if (q.code !== 0) {
      say(`count: ${q.err.trim().split('\n').at(-1) ?? `exit ${q.code}`}; making sure every part is up`);
      await restart();
    }
    await new Promise((res) => setTimeout(res, 2_000));
  }
  say(`raw_events: ${have} of ${want} expected`);
  await until('final nightly', ['nightly', '--date', args.to, '--wait', '--json']);

  // The process owns chDB: stop it, then reconcile from here.
  await stopManaged(paths.app);
  const store: Store = await openStore(cfg.clickhouse);
  const log = createLogger('warn');
  try {
    await migrate(store, log);
    const db = store.db;
    const [raw] = await select<{ n: string; u: string }>(store, `SELECT count() AS n, uniqExact(event_id) AS u FROM ${db}.raw_events`);
    const runs = await select<{ run_id: string; origin: string; started_at: string; status: string; read: string; accepted: string; rejected: string }>(
      store,
      `SELECT run_id, origin, toString(started_at) AS started_at, status, read, accepted, rejected FROM ${db}.ingest_runs FINAL ORDER BY started_at`,
    );
    // Distinct by where the record is (file and line): a replay pass rejects the same lines again.
    const [rej] = await select<{ n: string; d: string }>(store, `SELECT count() AS n, uniqExact(source, entity, location) AS d FROM ${db}.rejects FINAL`);
    // A replay pass must write nothing: a raw_events row carrying a later run of an origin already
    // ingested is a record written twice (ReplacingMergeTree keeps the newest row, so a background merge
    // that folded the pair leaves exactly that row behind).
    // (Runs are in order of start; a failed run before the first success may leave rows of its own.)
    const ingested = new Set<string>();
    const later: string[] = [];
    for (const r of runs) {
      if (ingested.has(r.origin)) later.push(r.run_id);
      else if (r.status === 'succeeded') ingested.add(r.origin);
    }
    const [replayRows] = await select<{ n: string }>(store, `SELECT count() AS n FROM ${db}.raw_events WHERE has({later:Array(String)}, run_id)`, { later });
    const [hostileRows] = await select<{ n: string }>(store, `SELECT count() AS n FROM ${db}.raw_events WHERE origin LIKE '%dossiers-hostile%' OR record_id LIKE 'SOAK-%' OR length(record_id) >= 300`);
    report.records = Number(raw?.u ?? 0);
    report.doubled = Number(raw?.n ?? 0) - Number(raw?.u ?? 0);
    report.lost = want - Number(raw?.u ?? 0);
    report.replayRowsWritten = Number(replayRows?.n ?? 0);
    report.hostileLanded = Number(hostileRows?.n ?? 0);
    report.runs = runs.length;
    report.replayRuns = later.length;
    report.read = runs.reduce((s, r) => s + Number(r.read), 0);
    report.accepted = runs.reduce((s, r) => s + Number(r.accepted), 0);
    report.rejected = runs.reduce((s, r) => s + Number(r.rejected), 0);
    report.failedRuns = runs.filter((r) => r.status === 'failed').length;
    report.unreconciledRuns = runs.filter((r) => Number(r.read) !== Number(r.accepted) + Number(r.rejected)).length;
    report.badInputs = expected.hostile + expected.badRows;
    report.rejectsExpected = expected.hostile + expected.badRows + servicesBad;
    report.rejectsFound = Number(rej?.d ?? 0);
    say(
      `raw_events ${raw?.n} rows, ${raw?.u} distinct (expected ${want}); rejects ${rej?.n} rows, ${rej?.d} distinct locations (expected ${report.rejectsExpected}); runs ${runs.length} (${report.failedRuns} failed, ${later.length} replays writing ${report.replayRowsWritten} rows); hostile records landed ${report.hostileLanded}`,
    );

    // Every value the nightly runs left, against a computation from scratch of the whole period.
    const lines = async () =>
      new Map(
        (
          await select<{ k: string; v: string; d: number }>(
            store,
            `SELECT concat(indicator, ' ', unit_code, ' ', toString(period), ' ', toString(period_start)) AS k, toString(round(value, 6)) AS v, denominator AS d FROM ${db}.v_indicator_values`,
          )
        ).map((r) => [r.k, { v: r.v, d: Number(r.d) }]),
      );
    const incremental = await lines();
    // Records may count on days outside --from..--to (a document registered before the first
    // dossier): the scratch range spans every day the nightly runs wrote as well as the asked range.
    const [span] = await select<{ lo: string; hi: string }>(
      store,
      `SELECT toString(least(min(period_start), {from:Date})) AS lo, toString(greatest(max(period_start), {to:Date})) AS hi FROM ${db}.indicator_values WHERE period = 'day'`,
      { from: args.from, to: args.to },
    );
    const plan = planPeriods(daysBetween(span?.lo ?? args.from, span?.hi ?? args.to));
    await store.client.command({ query: `TRUNCATE TABLE ${db}.indicator_values` });
    await computePeriods(store, [...plan.days, ...plan.longer], log);
    const scratch = await lines();
    report.values = scratch.size;
    const mismatches: string[] = [];
    for (const [key, s] of scratch) {
      const i = incremental.get(key);
      // A unit and day that no record counts on has no value the nightly run had to write.
      if (i === undefined ? s.d > 0 : i.v !== s.v) mismatches.push(`${key}: incremental ${i?.v ?? 'none'}, from scratch ${s.v}`);
    }
    for (const key of incremental.keys()) if (!scratch.has(key)) mismatches.push(`${key}: only in the incremental values`);
    report.valueMismatches = mismatches.length;
    for (const m of mismatches.slice(0, 20)) say(`value differs: ${m}`);
  } finally {
    await store.close();
  }
  report.minutes = Math.round((Date.now() - started) / 6_000) / 10;
  ok =
    report.lost === 0 &&
    report.doubled === 0 &&
    report.replayRowsWritten === 0 &&
    report.hostileLanded === 0 &&
    report.rejectsFound === report.rejectsExpected &&
    report.unreconciledRuns === 0 &&
    report.valueMismatches === 0;
} catch (e) {
  say(`soak failed: ${(e as Error).stack ?? String(e)}`);
} finally {
  chaosOn = false;
  await down(cfg, () => undefined).catch(() => undefined);
  if (!args.keep) rmSync(work, { recursive: true, force: true });
  else say(`kept ${work}`);
}
process.stdout.write(
  args.json
    ? `${JSON.stringify({ ok, ...report }, null, 2)}\n`
    : `soak ${ok ? 'passed' : 'FAILED'} in ${report.minutes} min, ${report.rounds} rounds: ${report.records} records, ${report.runs} runs (${report.failedRuns} failed and retried) read ${report.read} = accepted ${report.accepted} + rejected ${report.rejected}, faults survived ${JSON.stringify(report.faults)}, restarts ${JSON.stringify(report.restarts)}, bad inputs tried ${report.badInputs} (${report.hostileFiles} hostile files, ${report.hostileLanded} landed), rejects ${report.rejectsFound} of ${report.rejectsExpected}, lost ${report.lost}, doubled ${report.doubled} (replays wrote ${report.replayRowsWritten} rows), runs not reconciled ${report.unreconciledRuns}, indicator values ${report.values} (${report.valueMismatches} differ from scratch)\n`,
);
process.exit(ok ? 0 : 1);
