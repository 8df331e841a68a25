// `chiso nightly [--date D] [--wait]`: starts now the workflow the chiso-nightly schedule starts at
// 01:00 (day D, default yesterday, plus every earlier day that late data touched since the last run)
// and, with --wait, prints the days it recomputed and how long it took.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { isoDay } from '../../../indicators/import.ts';
import { addDays } from '../../../indicators/periods.ts';
import { UsageError } from '../../../lib/errors.ts';
import { isRemote } from '../../ioc-api/client.ts';
import { makeContext } from '../context.ts';
import { remoteNightly } from '../remote.ts';
import { requireWorker, withTemporal } from '../../../infra/temporal/client.ts';

interface NightlyResult {
  computedDays: string[];
  days: number;
  periods: number;
}

export function registerNightly(program: Command): void {
  program
    .command('nightly')
    .description('run the nightly computation now: day --date (default yesterday) and every earlier day late data touched, with their months, quarters and years')
    .option('--date <YYYY-MM-DD>', 'the day to compute as "yesterday" (default: yesterday in Asia/Ho_Chi_Minh)')
    .option('--wait', 'wait until it is done and print the days it recomputed')
    .action(async (opts: { date?: string; wait?: boolean }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      let today: string | undefined;
      if (opts.date !== undefined) {
        const d = isoDay.safeParse(opts.date);
        if (!d.success) throw new UsageError(`--date: expected a day in the form YYYY-MM-DD (e.g. 2025-03-31), got '${opts.date}'`);
        today = addDays(d.data, 1);
      }
      if (isRemote(ctx.cfg)) {
        const t0 = Date.now();
        const n = await remoteNightly(ctx, opts.date, opts.wait ?? false);
        if (!n.result) {
          ctx.result({ workflowId: n.job, started: true }, () => `đã bắt đầu / started on the server: job ${n.job} (run again with --wait to follow it)`);
          return;
        }
        const r = n.result as NightlyResult;
        const seconds = Math.round((Date.now() - t0) / 100) / 10;
        ctx.result({ workflowId: n.job, ...r, seconds }, () =>
          [`xong / done in ${seconds} s: ${r.computedDays.length} ngày / day(s) recomputed, ${r.periods} tháng/quý/năm / months, quarters, years`, ...r.computedDays.map((d) => `  ${d}`)].join('\n'),
        );
        return;
      }
      await withTemporal(ctx.cfg, async (client) => {
        await requireWorker(client, ctx.cfg);
        const workflowId = `chiso-nightly-manual-${today ?? 'now'}-${randomBytes(3).toString('hex')}`;
        const t0 = Date.now();
        const handle = await client.workflow.start('nightly', { taskQueue: ctx.cfg.temporal.taskQueue, workflowId, args: [today ? { today } : {}] });
        if (!opts.wait) {
          ctx.result({ workflowId, started: true }, () => `đã bắt đầu / started: workflow ${workflowId} (follow it in the Temporal UI, or run again with --wait)`);
          return;
        }
        ctx.say(`đang tính / computing: workflow ${workflowId}`);
        const r = await handle.result() as NightlyResult;
        const seconds = Math.round((Date.now() - t0) / 100) / 10;
        ctx.result({ workflowId, ...r, seconds }, () =>
          [`xong / done in ${seconds} s: ${r.computedDays.length} ngày / day(s) recomputed, ${r.periods} tháng/quý/năm / months, quarters, years`, ...r.computedDays.map((d) => `  ${d}`)].join('\n'),
        );
      });
    });
}
