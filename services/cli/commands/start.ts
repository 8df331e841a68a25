// `chiso start` (`npm start`): the main job on the embedded default. Brings the stack up, loads the
// demo units and targets into an empty store (never over imported ones), ingests
// the bundled sample exports through Kafka (files already ingested are skipped), waits for the sink,
// computes their indicators through Temporal, prints the dashboard's address with a token, and
// serves until Ctrl-C, which stops everything it started.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { openIngestion } from '../../../connectors/ingestion.ts';
import type { RunSummary } from '../../../connectors/run.ts';
import { waitForSink } from '../../../connectors/wait-for-sink.ts';
import { createKafka } from '../../../infra/kafka/client.ts';
import { down, up } from '../../../infra/stack.ts';
import type { Config } from '../../../schemas/config.ts';
import { SOURCES } from '../../../schemas/events.ts';
import { SINK_GROUP } from '../../../schemas/topics.ts';
import { ensureApiTokens } from '../../../infra/secrets/api-tokens.ts';
import type { Logger } from '../../../lib/logger.ts';
import { makeContext } from '../context.ts';
import { runBackfill } from './compute.ts';
import { loadDemoReference } from './demo-reference.ts';
import { guardStop } from '../stop-guard.ts';
import { appWatch, holdUntilSignal, printUp } from './stack.ts';

const SAMPLES = fileURLToPath(new URL('../../../infra/samples/data/', import.meta.url));

/** Ingests the bundled samples, one run per file; returns the runs made (none when all were done before). */
async function ingestSamples(cfg: Config, log: Logger, say: (line: string) => void): Promise<RunSummary[]> {
  const kafka = createKafka(cfg, log, 'chiso-start');
  const ingestion = await openIngestion(cfg, log, { kafka });
  const runs: RunSummary[] = [];
  try {
    for (const source of SOURCES) {
      const made = await ingestion.ingestFiles({
        source,
        path: `${SAMPLES}${source}`,
        onSkip: (file, reason) => say(`  bỏ qua / skipped ${file.replace(SAMPLES, '')}: ${reason}`),
      });
      for (const r of made) {
        say(`  ${r.status === 'succeeded' ? 'xong / done' : 'LỖI / FAILED'} ${r.origin.replace(SAMPLES, '')}: đọc/read ${r.read}, nhận/accepted ${r.accepted}, loại/rejected ${r.rejected}${r.error ? ` (${r.error})` : ''}`);
      }
      runs.push(...made);
    }
  } finally {
    await ingestion.close();
  }
  const produced: Record<string, string> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
  if (Object.keys(produced).length > 0) {
    say('Chờ sink ghi vào ClickHouse / waiting for the sink to write ClickHouse…');
    await waitForSink({ kafka, groupId: cfg.sinkGroup ?? SINK_GROUP, produced, timeoutMs: 300_000 });
  }
  return runs;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('the main job: bring the stack up, ingest the bundled sample exports, compute their indicators, serve the dashboard until Ctrl-C')
    .option('--no-samples', 'skip ingesting and computing the bundled samples')
    .action(async (opts: { samples: boolean }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const stopAll = async () => {
        await down(ctx.cfg, ctx.say);
      };
      // Ctrl-C at any point (the stack coming up, the samples, serving) stops everything started.
      const guard = guardStop(stopAll);
      const stack = await guard.during(() => up(ctx.cfg, ctx.say));
      ctx.say(printUp(stack));
      try {
        // A failure caused by a Ctrl-C waits there for the stop (the guard ends the process).
        await guard.during(async () => {
          if (opts.samples) {
            const manifest = JSON.parse(readFileSync(`${SAMPLES}manifest.json`, 'utf8')) as { from: string; to: string };
            ctx.say('\nĐơn vị và chỉ tiêu mẫu / demo units and targets (only into an empty store)');
            await loadDemoReference(ctx.cfg, ctx.log, ctx.say);
            ctx.say(`\nNạp dữ liệu mẫu / ingesting the bundled samples (${SAMPLES})`);
            const runs = await ingestSamples(ctx.cfg, ctx.log, ctx.say);
            if (runs.some((r) => r.status === 'failed')) ctx.say('Một số lượt nạp lỗi / some runs failed: see `npx chiso runs --failed`');
            ctx.say(`\nTính chỉ số / computing the indicators ${manifest.from}..${manifest.to}`);
            await runBackfill(ctx.cfg, ctx.say, manifest.from, manifest.to);
          }
        });
      } catch (e) {
        await stopAll();
        throw e;
      }
      const [token] = ensureApiTokens(ctx.cfg);
      const url = `${stack.dashboard}#token=${token?.token ?? ''}`;
      ctx.result({ ...stack, dashboardWithToken: url }, () =>
        [
          '',
          `Bảng điều khiển IOC / IOC dashboard: ${url}`,
          `API token (Authorization: Bearer …): ${token?.token ?? '(none)'}`,
          ...(stack.temporalUi ? [`Temporal UI: ${stack.temporalUi}`] : []),
          'Đang chạy. Nhấn Ctrl-C để dừng / running: press Ctrl-C to stop everything.',
        ].join('\n'),
      );
      await holdUntilSignal(stopAll, appWatch(ctx.cfg));
    });
}
