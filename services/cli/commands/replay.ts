// `chiso replay <run-id>` and `chiso replay --failed --since DATE`: each replay is a `replay` workflow
// on the worker (read the run's origin again as a new run linked to it, wait for the sink, recompute
// the days), so a worker restarted midway finishes it. A run whose export is gone is refused.
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { newRunId } from '../../../connectors/files.ts';
import { awaitingReplay, type LedgerEntry } from '../../../connectors/ledger.ts';
import { replayWorkflowId, type ReplaySummary } from '../../../workflows/replay.ts';
import { errorMessage, UsageError } from '../../../lib/errors.ts';
import { apiClient, expectOk, isRemote } from '../../ioc-api/client.ts';
import { type Context, makeContext } from '../context.ts';
import { remoteReplay } from '../remote.ts';
import { requireWorker, withTemporal } from '../../../infra/temporal/client.ts';

interface ReplayOptions {
  failed?: boolean;
  since?: string;
  source?: string;
  waitTimeout: string;
}

type Outcome = { runId: string; ok: true; summary: ReplaySummary | unknown; replayRunId: string } | { runId: string; ok: false; error: string; type?: string };

/** The failure's own words: the run's reason (ORIGIN_GONE, SOURCE_API_UNAVAILABLE...) rather than "workflow failed". */
function reason(e: unknown): { error: string; type?: string } {
  let c: unknown = e instanceof WorkflowFailedError ? e.cause : e;
  while (c instanceof Error && 'cause' in c && c.cause instanceof Error && !('type' in c)) c = c.cause;
  const type = c && typeof c === 'object' && 'type' in c && typeof c.type === 'string' ? c.type : undefined;
  return { error: errorMessage(c), ...(type ? { type } : {}) };
}

/** Failed runs of the period that no later run has replayed successfully. */
async function failedRuns(ctx: Context, opts: ReplayOptions): Promise<string[]> {
  const qs = new URLSearchParams({ limit: '1000', since: opts.since!, ...(opts.source ? { source: opts.source } : {}) });
  const r = await expectOk(await apiClient(ctx.cfg).get(`/runs?${qs}`));
  const { runs } = (await r.json()) as { runs: LedgerEntry[] };
  return awaitingReplay(runs);
}

function describe(o: Outcome): string {
  if (!o.ok) return `KHÔNG PHÁT LẠI ĐƯỢC / NOT REPLAYED  ${o.runId}: ${o.error}`;
  const lines = [`Đã phát lại / replayed  ${o.runId} -> ${o.replayRunId}`];
  const summary = o.summary as ReplaySummary;
  for (const r of summary.runs) lines.push(`  ${r.origin}: đọc / read ${r.read}, nhận / accepted ${r.accepted}, loại / rejected ${r.rejected}`);
  lines.push(summary.days.length > 0 ? `  tính lại / recomputed ${summary.days.length} days: ${summary.days[0]} .. ${summary.days.at(-1)}` : '  no indicator day to recompute');
  return lines.join('\n');
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('read a run\'s origin again (same file or API window) as a new run linked to it, through Kafka and the sink, then recompute the days it touched')
    .argument('[run-id]', 'the run to replay (see chiso runs --failed)')
    .option('--failed', 'replay every failed run of the period (with --since) not replayed yet')
    .option('--since <YYYY-MM-DD>', 'with --failed: runs started on or after this day')
    .option('--source <source>', 'with --failed: only this source')
    .option('--wait-timeout <seconds>', 'how long a replay waits for the sink', '600')
    .addHelpText('after', '\nExamples:\n  chiso replay run-20250301120000-1a2b3c4d\n  chiso replay --failed --since 2025-03-01')
    .action(async (runArg: string | undefined, opts: ReplayOptions, cmd: Command) => {
      if (!runArg && !opts.failed) throw new UsageError('give a run id, or --failed --since YYYY-MM-DD');
      if (runArg && opts.failed) throw new UsageError('give either a run id or --failed, not both');
      if (opts.failed && !/^\d{4}-\d\d-\d\d$/.test(opts.since ?? '')) throw new UsageError('--failed needs --since YYYY-MM-DD');
      const seconds = Number(opts.waitTimeout);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--wait-timeout: expected a number of seconds, got "${opts.waitTimeout}"`);
      const ctx = makeContext(cmd.optsWithGlobals());
      const targets = runArg ? [runArg] : await failedRuns(ctx, opts);
      const outcomes: Outcome[] = [];
      if (isRemote(ctx.cfg)) {
        for (const runId of targets) outcomes.push(await remoteReplay(ctx, runId, seconds));
      } else await withTemporal(ctx.cfg, async (client) => {
        if (targets.length > 0) await requireWorker(client, ctx.cfg);
        for (const runId of targets) {
          const replayRunId = newRunId();
          ctx.say(`Phát lại / replaying ${runId} as ${replayRunId} (Temporal workflow ${replayWorkflowId(replayRunId)})...`);
          try {
            const summary = await client.workflow.execute('replay', {
              taskQueue: ctx.cfg.temporal.taskQueue,
              workflowId: replayWorkflowId(replayRunId),
              args: [{ runId, replayRunId, sinkTimeoutMs: seconds * 1000 }],
            });
            outcomes.push({ runId, ok: true, summary: summary as ReplaySummary, replayRunId });
          } catch (e) {
            if (!(e instanceof WorkflowFailedError)) throw e;
            outcomes.push({ runId, ok: false, ...reason(e) });
          }
        }
      });
      ctx.result({ replays: outcomes }, () => (outcomes.length === 0 ? 'no failed run to replay' : outcomes.map(describe).join('\n')));
      if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
    });
}
