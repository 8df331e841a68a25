// `chiso up`, `down`, `status`: the local stack.
import type { Command } from 'commander';
import { down, status, up, type UpResult } from '../../../infra/stack.ts';
import { stackPaths } from '../../../infra/paths.ts';
import { runningPid, tailOf } from '../../../infra/process.ts';
import type { Config } from '../../../schemas/config.ts';
import { InfraError } from '../../../lib/errors.ts';
import { isRemote } from '../../ioc-api/client.ts';
import { makeContext } from '../context.ts';
import { guardStop } from '../stop-guard.ts';
import { remoteStatus } from '../remote.ts';
import { table } from '../render.ts';
import { printQuality, type QualityOptions } from './status.ts';

export function printUp(r: UpResult): string {
  const lines = [
    table(r.parts as unknown as Record<string, unknown>[], ['part', 'state', 'where', 'version', 'pid']),
    '',
    `Bảng điều khiển / dashboard: ${r.dashboard}`,
  ];
  if (r.temporalUi) lines.push(`Temporal UI: ${r.temporalUi}`);
  lines.push(`(${Object.entries(r.timings).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ')})`);
  return lines.join('\n');
}

/**
 * Waits for Ctrl-C / SIGTERM / SIGHUP (or a closed output: `npm start | tee log`), then stops what
 * was started (stop-guard.ts: later signals are absorbed while it stops). A watch timer keeps the
 * process alive (a pending promise does not) and notices when the chiso process died, so the
 * command does not sit there serving nothing.
 */
export async function holdUntilSignal(onStop: () => Promise<void>, watch?: () => string | undefined): Promise<void> {
  const guard = guardStop(onStop);
  guard.hold();
  const timer = setInterval(() => {
    const problem = watch?.();
    if (problem) guard.stop(problem);
  }, 3000);
  const why = await guard.stopped;
  clearInterval(timer);
  // A signal's name, or what the watch found (the chiso process died by itself).
  if (!['SIGINT', 'SIGTERM', 'SIGHUP', 'EPIPE'].includes(why)) throw new InfraError(why, 'PROCESS_DIED', {}, { retriable: false });
}

/** A watch for holdUntilSignal: the chiso process must stay alive. */
export function appWatch(cfg: Config): () => string | undefined {
  const app = stackPaths(cfg).app;
  return () => (runningPid(app) === undefined ? `the chiso process stopped unexpectedly; its log ends with:\n${tailOf(app.logFile)}` : undefined);
}

export function registerStack(program: Command): void {
  program
    .command('up')
    .description('start the local stack: Kafka broker, Temporal dev server and the chiso process (sink, worker, IOC API), on the embedded chDB store')
    .option('--detach', 'return once everything is up, leaving it running (stop it with `chiso down`)')
    .option('--headless', 'do not serve the Temporal web UI')
    .action(async (opts: { detach?: boolean; headless?: boolean }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      // Ctrl-C while the stack comes up stops what is up so far.
      const guard = guardStop(async () => {
        await down(ctx.cfg, ctx.say);
      });
      const r = await guard.during(() => up(ctx.cfg, ctx.say, { headless: opts.headless ?? false }));
      ctx.result(r, () => printUp(r));
      if (opts.detach) return;
      ctx.say('Running. Press Ctrl-C to stop everything.');
      await holdUntilSignal(async () => {
        await down(ctx.cfg, ctx.say);
      }, appWatch(ctx.cfg));
    });

  program
    .command('down')
    .description('stop what `chiso up` started (the chiso process, then Temporal, then Kafka)')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const stopped = await down(ctx.cfg, ctx.json ? () => undefined : ctx.say);
      if (ctx.json) ctx.result({ stopped }, () => '');
    });

  program
    .command('status')
    .description('show each part of the stack: up or down, where, version; with --quality, data quality per source, entity and day instead')
    .option('--quality', 'data quality of the last --days days: read, accepted, rejected (and why), unknown units, missing dates, late arrivals, corrections')
    .option('--days <n>', 'with --quality: the last n days', '7')
    .option('--source <source>', 'with --quality: only this source, e.g. one-stop-shop')
    .action(async (opts: { quality?: boolean } & QualityOptions, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      if (isRemote(ctx.cfg)) {
        const r = (await remoteStatus(ctx)) as { status: string; reasons?: string[]; details?: { parts?: Record<string, { ok: boolean; where?: string; version?: string; detail?: string }> } };
        const rows = Object.entries(r.details?.parts ?? {}).map(([part, h]) => ({ part, state: h.ok ? 'up' : 'down', where: h.where, version: h.version, detail: h.detail }));
        ctx.result(r, () => [`${ctx.cfg.remote?.url}: ${r.status}${r.reasons?.length ? ` (${r.reasons.join(', ')})` : ''}`, ...(rows.length ? [table(rows, ['part', 'state', 'where', 'version', 'detail'])] : [])].join('\n'));
        if (r.status !== 'ready') process.exitCode = 1;
        return;
      }
      if (opts.quality) return printQuality(ctx, opts);
      const parts = await status(ctx.cfg);
      ctx.result(parts, () => table(parts as unknown as Record<string, unknown>[], ['part', 'state', 'where', 'version', 'pid', 'detail']));
    });
}
