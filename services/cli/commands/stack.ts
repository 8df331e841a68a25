// `chiso up`, `down`, `status`: the local stack.
import type { Command } from 'commander';
import { down, status, up, type UpResult } from '../../../infra/stack.ts';
import { stackPaths } from '../../../infra/paths.ts';
import { runningPid, tailOf } from '../../../infra/process.ts';
import type { Config } from '../../../schemas/config.ts';
import { InfraError, errorMessage } from '../../../lib/errors.ts';
import { isRemote } from '../../ioc-api/client.ts';
import { type Context, makeContext } from '../context.ts';
import { guardStop } from '../stop-guard.ts';
import { remoteStatus } from '../remote.ts';
import { table } from '../render.ts';
import { fetchQuality, printQuality, QUALITY_TITLE, type Quality, type QualityOptions, qualityDays, renderQuality } from './status.ts';

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
    .description('show each part of the stack (up or down, where, version), then the data quality of the last --days days; with --quality, only the data quality')
    .option('--quality', 'only the data quality of the last --days days: read, accepted, rejected (and why), unknown units, missing dates, late arrivals, corrections')
    .option('--days <n>', 'the data quality of the last n days', '7')
    .option('--source <source>', 'the data quality of this source only, e.g. one-stop-shop')
    .action(async (opts: { quality?: boolean } & QualityOptions, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      qualityDays(opts);
      if (opts.quality) return printQuality(ctx, opts);
      if (isRemote(ctx.cfg)) {
        const r = (await remoteStatus(ctx)) as { status: string; reasons?: string[]; details?: { parts?: Record<string, { ok: boolean; where?: string; version?: string; detail?: string }> } };
        const rows = Object.entries(r.details?.parts ?? {}).map(([part, h]) => ({ part, state: h.ok ? 'up' : 'down', where: h.where, version: h.version, detail: h.detail }));
        const q = await qualityPart(ctx, opts);
        ctx.result({ ...r, quality: q.quality ?? null, ...(q.error ? { qualityError: q.error } : {}) }, () =>
          [`${ctx.cfg.remote?.url}: ${r.status}${r.reasons?.length ? ` (${r.reasons.join(', ')})` : ''}`, ...(rows.length ? [table(rows, ['part', 'state', 'where', 'version', 'detail'])] : []), '', q.text].join('\n'),
        );
        if (r.status !== 'ready') process.exitCode = 1;
        return;
      }
      const parts = await status(ctx.cfg);
      const partsTable = () => table(parts as unknown as Record<string, unknown>[], ['part', 'state', 'where', 'version', 'pid', 'detail']);
      // --json keeps its shape (the parts); the quality rows are `chiso status --quality --json`.
      if (ctx.json) return ctx.result(parts, partsTable);
      const q = parts.find((p) => p.part === 'chiso')?.state === 'up' ? await qualityPart(ctx, opts) : { text: `${QUALITY_TITLE}: chiso không chạy / the chiso process is not running (npx chiso up --detach)` };
      ctx.result(parts, () => [partsTable(), '', q.text].join('\n'));
    });
}

/** The data-quality part of plain `chiso status`: the table, or why it could not be read (the status itself still answers). */
async function qualityPart(ctx: Context, opts: QualityOptions): Promise<{ quality?: Quality; error?: string; text: string }> {
  try {
    const quality = await fetchQuality(ctx, opts);
    return { quality, text: `${QUALITY_TITLE}, từ / since ${quality.since}${opts.source ? `, ${opts.source}` : ''}:\n${renderQuality(quality)}` };
  } catch (e) {
    const error = errorMessage(e);
    return { error, text: `${QUALITY_TITLE}: không đọc được / unavailable: ${error}` };
  }
}
