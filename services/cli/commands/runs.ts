// `chiso runs [--failed] [--source S] [--since DATE]`, `chiso runs show <id>`, `chiso rejects --run <id>`:
// the ingestion ledger and its rejects, read through the running chiso process's API.
import type { Command } from 'commander';
import { apiClient, expectOk } from '../../ioc-api/client.ts';
import { makeContext } from '../context.ts';
import { table } from '../render.ts';

async function getJson<T>(cmd: Command, path: string): Promise<{ ctx: ReturnType<typeof makeContext>; body: T }> {
  const ctx = makeContext(cmd.optsWithGlobals());
  const r = await expectOk(await apiClient(ctx.cfg).get(path));
  return { ctx, body: (await r.json()) as T };
}

type Row = Record<string, unknown>;

export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description('the ingestion ledger: one line per run, newest first')
    .option('--failed', 'only failed runs')
    .option('--source <source>', 'only this source, e.g. one-stop-shop')
    .option('--since <YYYY-MM-DD>', 'only runs started on or after this day')
    .option('--limit <n>', 'at most this many runs', '100')
    .action(async (opts: { failed?: boolean; source?: string; since?: string; limit: string }, cmd: Command) => {
      const qs = new URLSearchParams({ limit: opts.limit, ...(opts.failed ? { status: 'failed' } : {}), ...(opts.source ? { source: opts.source } : {}), ...(opts.since ? { since: opts.since } : {}) });
      const { ctx, body } = await getJson<{ runs: Row[] }>(cmd, `/runs?${qs}`);
      ctx.result(body.runs, () => (body.runs.length === 0 ? 'no runs' : table(body.runs, ['run_id', 'source', 'entity', 'status', 'started_at', 'read', 'accepted', 'rejected', 'error'])));
    });
  runs
    .command('show')
    .description('one run: its origin, counts, error and reject reasons')
    .argument('<id>', 'the run id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      // The API adds the days its records count on, read from its raw events.
      const { ctx, body } = await getJson<{ run: Row; rejectReasons: Row[]; days: string[] }>(cmd, `/runs/${encodeURIComponent(id)}`);
      const days = body.days;
      ctx.result(body, () =>
        [
          ...Object.entries(body.run).map(([k, v]) => `${k.padEnd(12)} ${v === null ? '' : String(v)}`),
          `${'days'.padEnd(12)} ${days.length === 0 ? '(none: no record of this run reached raw_events)' : days.join(' ')}`,
          '',
          body.rejectReasons.length === 0 ? 'no rejects' : table(body.rejectReasons, ['reason', 'field', 'count']),
        ].join('\n'),
      );
    });
}

export function registerRejects(program: Command): void {
  program
    .command('rejects')
    .description('the records a run rejected: where, which field, why, and the original text')
    .requiredOption('--run <id>', 'the run id (see chiso runs)')
    .option('--limit <n>', 'at most this many', '1000')
    .action(async (opts: { run: string; limit: string }, cmd: Command) => {
      const qs = new URLSearchParams({ run: opts.run, limit: opts.limit });
      const { ctx, body } = await getJson<{ rejects: Row[] }>(cmd, `/rejects?${qs}`);
      ctx.result(body.rejects, () => (body.rejects.length === 0 ? 'no rejects' : table(body.rejects.map((r) => ({ ...r, original: String(r.original).slice(0, 60) })), ['location', 'field', 'reason', 'original'])));
    });
}
