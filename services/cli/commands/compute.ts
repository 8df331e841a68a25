// `chiso compute --from --to`: runs the backfill workflow on Temporal for those days (and their
// months, quarters and years), printing its progress until it is done.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { isoDay } from '../../../indicators/import.ts';
import { daysBetween } from '../../../indicators/periods.ts';
import { UsageError } from '../../../lib/errors.ts';
import type { Config } from '../../../schemas/config.ts';
import { isRemote } from '../../ioc-api/client.ts';
import { makeContext } from '../context.ts';
import { remoteCompute } from '../remote.ts';
import { requireWorker, withTemporal } from '../../../infra/temporal/client.ts';

interface Progress {
  done: number;
  total: number;
  periodsDone: number;
  periodsTotal: number;
}

function parseDay(flag: string, v: string): string {
  const r = isoDay.safeParse(v);
  if (!r.success) throw new UsageError(`${flag}: expected a day in the form YYYY-MM-DD (e.g. 2025-03-31), got '${v}'`);
  return r.data;
}

/** Runs the backfill workflow for from..to on the running worker, printing its progress; resolves with its result. */
export async function runBackfill(cfg: Config, say: (line: string) => void, from: string, to: string): Promise<unknown> {
  return withTemporal(cfg, async (client) => {
    await requireWorker(client, cfg);
    const workflowId = `chiso-compute-${from}-${to}-${randomBytes(3).toString('hex')}`;
    const handle = await client.workflow.start('backfill', { taskQueue: cfg.temporal.taskQueue, workflowId, args: [{ from, to }] });
    say(`computing ${daysBetween(from, to).length} day(s) ${from}..${to} (workflow ${workflowId})`);
    const result = handle.result();
    let settled = false;
    void result.finally(() => (settled = true)).catch(() => undefined);
    let last = '';
    while (!settled) {
      const p = await handle.query<Progress>('progress').catch(() => undefined);
      const line = p ? `  days ${p.done}/${p.total}, months/quarters/years ${p.periodsDone}/${p.periodsTotal}` : '';
      if (line && line !== last) say((last = line));
      await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 1_000))]);
    }
    const final = await handle.query<Progress>('progress').catch(() => undefined);
    if (final) say(`  days ${final.done}/${final.total}, months/quarters/years ${final.periodsDone}/${final.periodsTotal}`);
    return result;
  });
}

export function registerCompute(program: Command): void {
  program
    .command('compute')
    .alias('backfill')
    .description('compute every indicator for the days --from..--to (and their months, quarters, years) on the running stack')
    .requiredOption('--from <YYYY-MM-DD>', 'first day')
    .requiredOption('--to <YYYY-MM-DD>', 'last day (inclusive)')
    .action(async (opts: { from: string; to: string }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const from = parseDay('--from', opts.from);
      const to = parseDay('--to', opts.to);
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      const summary = isRemote(ctx.cfg) ? await remoteCompute(ctx, from, to) : await runBackfill(ctx.cfg, ctx.say, from, to);
      ctx.result(summary, () => `done: ${JSON.stringify(summary)}`);
    });
}
