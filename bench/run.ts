// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) one after the
// other, prints a Markdown table (figure, value, baseline, ratio, target, machine) and writes
// bench/results/<date>.json and .md. Benchmarks print figures; they never pass or fail on speed.
// Each benchmark runs in a process of its own (bench/run-one.ts) and gets the peak resident memory
// of every process it involved (bench/memory.ts): its own, the Kafka JVM's, the Temporal server's.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trackPeakMemory } from './memory.ts';
import type { BenchFigure } from './types.ts';
import { APP_NODE_FLAGS } from '../infra/node-flags.ts';

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
  process.stdout.write(`\n== ${f}\n`);
  const t = Date.now();
  const out = join(tmpdir(), `chiso-bench-${process.pid}-${f}.json`);
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, '--import', 'tsx', join(dir, 'run-one.ts'), f, out], { stdio: 'inherit' });
  const memory = trackPeakMemory(process.pid, new Map([[child.pid ?? -1, 'bench process (node + chDB)']]));
  const [code] = (await once(child, 'exit')) as [number | null];
  const seconds = (Date.now() - t) / 1000;
  let name = f.replace('.bench.ts', '');
  let figures: BenchFigure[];
  try {
    const result = JSON.parse(readFileSync(out, 'utf8')) as { name: string; figures: BenchFigure[] };
    name = result.name;
    figures = result.figures;
  } catch {
    figures = [{ figure: 'FAILED', value: Number.NaN, unit: '', notes: `the benchmark process exited with ${code} and no figures` }];
  }
  for (const [proc, mib] of memory.stop()) figures.push({ figure: `peak RSS: ${proc}`, value: mib, unit: 'MiB', notes: `VmHWM over the ${seconds.toFixed(0)} s of the benchmark` });
  for (const fig of figures) {
    rows.push({ bench: name, ...fig });
    process.stdout.write(`  ${fig.figure}: ${fig.value.toFixed(1)} ${fig.unit}${fig.baselineValue !== undefined ? ` (baseline ${fig.baseline}: ${fig.baselineValue.toFixed(1)})` : ''}\n`);
  }
  process.stdout.write(`  (${seconds.toFixed(1)} s)\n`);
  durations.push(`${name} ${seconds.toFixed(0)} s`);
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
const results = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(results, { recursive: true });
const stamp = new Date().toISOString().slice(0, 10);
writeFileSync(`${results}${stamp}.json`, JSON.stringify({ machine, durations, rows }, null, 2));
writeFileSync(`${results}${stamp}.md`, md);
writeFileSync(`${results}latest.md`, md);
