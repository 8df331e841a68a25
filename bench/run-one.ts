// One benchmark in a process of its own (spawned by bench/run.ts): one chDB store per process, and
// a peak memory that belongs to this benchmark alone. Writes its figures as JSON to the given file.
import { writeFileSync } from 'node:fs';
import type { Bench, BenchFigure } from './types.ts';

const [file, out] = process.argv.slice(2);
if (!file || !out) throw new Error('usage: run-one.ts <name>.bench.ts <figures.json>');
const mod = (await import(`./${file}`)) as { default: Bench };
let figures: BenchFigure[];
try {
  figures = await mod.default.run();
} catch (e) {
  // A benchmark that fails is reported as such; the others still run and the report is written.
  process.stdout.write(`  FAILED: ${(e as Error).stack ?? String(e)}\n`);
  figures = [{ figure: 'FAILED', value: Number.NaN, unit: '', notes: (e as Error).message.replace(/\s+/g, ' ').slice(0, 200) }];
}
writeFileSync(out, JSON.stringify({ name: mod.default.name, figures }));
// Clients a benchmark left open (kafkajs, Temporal) must not keep the process alive.
process.exit(0);
