// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) one after the
// other, prints a Markdown table (figure, value, baseline, ratio, target, machine) and writes
// bench/results/<date>.json and .md. Benchmarks print figures; they never pass or fail on speed.
// Each benchmark also gets the peak resident memory of every process it involved (bench/memory.ts).
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trackPeakMemory } from './memory.ts';
import type { Bench, BenchFigure } from './types.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const rows: (BenchFigure & { bench: string })[] = [];
const durations: string[] = [];
const started = Date.now();
for (const f of files) {
  const mod = (await import(`./${f}`)) as { default: Bench };
  process.stdout.write(`\n== ${mod.default.name} (${f})\n`);
  const t = Date.now();
  const memory = trackPeakMemory();
  // A benchmark that fails is reported as such; the others still run and the report is written.
  const figures = await mod.default.run().catch((e: unknown): BenchFigure[] => {
    process.stdout.write(`  FAILED: ${(e as Error).stack ?? String(e)}\n`);
    return [{ figure: 'FAILED', value: Number.NaN, unit: '', notes: (e as Error).message.replace(/\s+/g, ' ').slice(0, 200) }];
  });
  const seconds = (Date.now() - t) / 1000;
  for (const [proc, mib] of memory.stop()) figures.push({ figure: `peak RSS: ${proc}`, value: mib, unit: 'MiB', notes: `VmHWM over the ${seconds.toFixed(0)} s of the benchmark` });
  for (const fig of figures) {
    rows.push({ bench: mod.default.name, ...fig });
    process.stdout.write(`  ${fig.figure}: ${fig.value.toFixed(1)} ${fig.unit}${fig.baselineValue !== undefined ? ` (baseline ${fig.baseline}: ${fig.baselineValue.toFixed(1)})` : ''}\n`);
  }
  process.stdout.write(`  (${seconds.toFixed(1)} s)\n`);
  durations.push(`${mod.default.name} ${seconds.toFixed(0)} s`);
}

const fmt = (n: number | undefined) => (n === undefined ? '' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
const md = [
  `# chiso benchmarks, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${machine}`,
  '',
  `Run: \`npm run bench\`${only.length ? ` -- ${only.join(' ')}` : ''}, ${((Date.now() - started) / 60000).toFixed(1)} min (${durations.join(', ')}). Data sizes are in each figure's name or notes; baselines are measured in the same run.`,
  '',
  '| bench | figure | value | unit | baseline | baseline value | ratio | target | notes |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) =>
    `| ${r.bench} | ${r.figure} | ${fmt(r.value)} | ${r.unit} | ${r.baseline ?? ''} | ${fmt(r.baselineValue)} | ${r.baselineValue ? (r.value / r.baselineValue).toFixed(2) : ''} | ${r.target ?? ''} | ${r.notes ?? ''} |`,
  ),
  '',
].join('\n');
process.stdout.write(`\n${md}`);
const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
const stamp = new Date().toISOString().slice(0, 10);
writeFileSync(`${out}${stamp}.json`, JSON.stringify({ machine, durations, rows }, null, 2));
writeFileSync(`${out}${stamp}.md`, md);
writeFileSync(`${out}latest.md`, md);
