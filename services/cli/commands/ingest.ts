// `chiso ingest <source> <path-or-url>`: one ingestion run per export file (or one over the HTTP
// export API), with a progress line on long files, a summary per run and a non-zero exit when a run
// failed. `--wait` then waits until the sink has consumed everything the runs produced.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createKafka } from '../../../infra/kafka/client.ts';
import { openIngestion } from '../../../connectors/ingestion.ts';
import type { Progress, RunSummary } from '../../../connectors/run.ts';
import { waitForSink } from '../../../connectors/wait-for-sink.ts';
import { ENTITIES, entityName, type EntityName, SOURCES, sourceId, type SourceId } from '../../../schemas/events.ts';
import { SINK_GROUP, topics } from '../../../schemas/topics.ts';
import { errorMessage, UsageError } from '../../../lib/errors.ts';
import { isRemote } from '../../ioc-api/client.ts';
import { makeContext } from '../context.ts';
import { remoteIngest } from '../remote.ts';
import { ingestViaWorkflow } from './ingest-workflow.ts';

interface IngestOptions {
  entity?: string;
  wait?: boolean;
  waitTimeout?: string;
  force?: boolean;
  replay?: string;
  from?: string;
  to?: string;
  pageSize?: string;
  direct?: boolean;
}

function parseArgs(sourceArg: string, opts: IngestOptions): { source: SourceId; entity?: EntityName } {
  const s = sourceId.safeParse(sourceArg);
  if (!s.success) throw new UsageError(`unknown source "${sourceArg}": expected one of ${SOURCES.join(', ')}`);
  if (opts.entity === undefined) return { source: s.data };
  const e = entityName.safeParse(opts.entity);
  const allowed = ENTITIES[s.data] as readonly string[];
  if (!e.success || !allowed.includes(e.data)) throw new UsageError(`unknown entity "${opts.entity}" for ${s.data}: expected one of ${allowed.join(', ')}`);
  return { source: s.data, entity: e.data };
}

/** A progress line on stderr about once a second, for long files. */
function progressPrinter(): { update(label: string, p: Progress): void; done(): void } {
  let started = Date.now();
  let last = 0;
  let label = '';
  let shown = false;
  return {
    update(l, p) {
      if (l !== label) {
        label = l;
        started = Date.now();
        last = started;
      }
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      const rate = p.read / Math.max(0.001, (now - started) / 1000);
      shown = true;
      process.stderr.write(`\r${label}: ${p.read.toLocaleString('en-US')} read (${Math.round(rate).toLocaleString('en-US')}/s), ${p.accepted.toLocaleString('en-US')} accepted, ${p.rejected.toLocaleString('en-US')} rejected   `);
    },
    done() {
      if (shown) process.stderr.write('\n');
      shown = false;
    },
  };
}

function describe(r: RunSummary, rejectsWhere: string): string {
  const head = `${r.status === 'succeeded' ? 'Thành công / succeeded' : 'THẤT BẠI / FAILED'}  ${r.runId}  ${r.source}/${r.entity}  ${r.origin}`;
  const counts = `  đọc / read ${r.read}, nhận / accepted ${r.accepted}, loại / rejected ${r.rejected}`;
  const lines = [head, counts];
  if (r.rejected > 0) lines.push(`  bản ghi bị loại / rejects: ${rejectsWhere.replace('{run}', r.runId)}`);
  for (const w of r.warnings ?? []) {
    lines.push(`  cảnh báo / warning: trường "${w.field}" (${w.records} bản ghi / records) giống ${w.looksLike} nhưng không được đọc / looks like ${w.looksLike} but is not read: ask the vendor, or report it as a new spelling`);
  }
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines.join('\n');
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('ingest a source export (a file, a folder of NDJSON/JSON/CSV/XLSX files, or the http(s) URL of the export API) into Kafka')
    .argument('<source>', `source system: ${SOURCES.join(', ')}`)
    .argument('<path-or-url>', 'an export file, a folder of export files, or the base URL of the source HTTP export API')
    .option('--entity <entity>', 'entity of the export (dossiers, documents, work-records, services, payments, ratings); default: from the file name')
    .option('--wait', 'after producing, wait until the sink has consumed every message of the runs')
    .option('--wait-timeout <seconds>', 'how long --wait waits for the sink', '120')
    .option('--force', 'ingest files again even if they were already ingested')
    .option('--replay <run-id>', 'ingest again on purpose, recording which earlier run this replays')
    .option('--from <iso>', 'API only: start of the update-time window (default: the checkpoint)')
    .option('--to <iso>', 'API only: end of the update-time window (default: now)')
    .option('--page-size <n>', 'API only: records per page')
    .option('--direct', 'run the ingestion in this process instead of as a Temporal workflow on the worker')
    .addHelpText('after', '\nExamples:\n  chiso ingest one-stop-shop exports/ho-so-2025-01.ndjson\n  chiso ingest document-management exports/ --wait\n  chiso ingest public-service-portal https://dvc.example.vn/export --entity payments\n\nWith CHISO_API_URL and CHISO_API_TOKEN set, the files are uploaded to that chiso API, archived and ingested\nthere (--wait follows the runs to their end); see docs/operations.md.')
    .action(async (sourceArg: string, target: string, opts: IngestOptions, cmd: Command) => {
      const { source, entity } = parseArgs(sourceArg, opts);
      const isUrl = /^https?:\/\//i.test(target);
      if (isUrl && !entity) throw new UsageError(`an API ingestion needs --entity (one of ${ENTITIES[source].join(', ')})`);
      if (!isUrl && !existsSync(target)) throw new UsageError(`${target}: no such file or folder (expected an export file, a folder of them, or an http(s) URL)`);
      const waitSeconds = Number(opts.waitTimeout ?? '120');
      if (!Number.isFinite(waitSeconds) || waitSeconds <= 0) throw new UsageError(`--wait-timeout: expected a number of seconds, got "${opts.waitTimeout}"`);
      const ctx = makeContext(cmd.optsWithGlobals());
      const t = topics(ctx.cfg.kafka.topicPrefix);
      if (isRemote(ctx.cfg)) {
        if (isUrl) throw new UsageError('with CHISO_API_URL, ingest uploads export files; an export API is pulled by the server itself (CHISO_SOURCES there)');
        const r = await remoteIngest(ctx, { source, ...(entity ? { entity } : {}), target, force: opts.force ?? false, wait: opts.wait ?? false, waitSeconds });
        if (r.error && r.runs.length === 0) {
          ctx.result(r, () => `THẤT BẠI / FAILED  ${target}: ${r.error}`);
          process.exitCode = 1;
          return;
        }
        if (r.runs.length === 0 && r.skipped.length === 0) throw new UsageError(`${target}: no export file found (expected .ndjson, .jsonl, .json, .csv or .xlsx)`);
        ctx.result(r, () =>
          [
            ...r.runs.map((s) => describe(s, 'chiso rejects --run {run}')),
            ...r.skipped.map((s) => `${s.failure ? 'BỎ QUA / NOT INGESTED' : 'Bỏ qua / skipped'}  ${s.file}: ${s.reason}`),
            ...(r.waited === 'done' ? ['Sink đã nhận đủ / the sink has consumed every message of these runs'] : r.waited ? [`wait: ${r.waited}`] : []),
          ].join('\n'),
        );
        if (r.error || r.runs.some((s) => s.status === 'failed') || r.skipped.some((s) => s.failure) || (r.waited !== undefined && r.waited !== 'done')) process.exitCode = 1;
        return;
      }
      const kafka = createKafka(ctx.cfg, ctx.log, 'chiso-ingest');
      const summaries: RunSummary[] = [];
      const skipped: { file: string; reason: string; failure: boolean }[] = [];
      let workflowError: string | undefined;
      if (!opts.direct) {
        const pageSize = opts.pageSize === undefined ? undefined : Number(opts.pageSize);
        if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) throw new UsageError(`--page-size: expected a positive whole number, got "${opts.pageSize}"`);
        const r = await ingestViaWorkflow(ctx, {
          source,
          ...(entity ? { entity } : {}),
          origin: isUrl ? target : resolve(target),
          ...(opts.from ? { from: opts.from } : {}),
          ...(opts.to ? { to: opts.to } : {}),
          ...(pageSize ? { pageSize } : {}),
          ...(opts.force ? { force: true } : {}),
          ...(opts.replay ? { replayOf: opts.replay } : {}),
        });
        summaries.push(...r.runs);
        skipped.push(...r.skipped);
        workflowError = r.error;
      } else {
        const ingestion = await openIngestion(ctx.cfg, ctx.log, { kafka });
        const progress = progressPrinter();
        try {
          if (isUrl) {
            const pageSize = opts.pageSize === undefined ? undefined : Number(opts.pageSize);
            if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) throw new UsageError(`--page-size: expected a positive whole number, got "${opts.pageSize}"`);
            summaries.push(
              await ingestion.ingestApi(
                {
                  source,
                  entity: entity as EntityName,
                  baseUrl: target,
                  ...(opts.from ? { from: opts.from } : {}),
                  ...(opts.to ? { to: opts.to } : {}),
                  ...(pageSize ? { pageSize } : {}),
                  ...(opts.replay ? { replayOf: opts.replay } : {}),
                },
                (p) => progress.update(target, p),
              ),
            );
          } else {
            summaries.push(
              ...(await ingestion.ingestFiles({
                source,
                path: target,
                ...(entity ? { entity } : {}),
                force: opts.force ?? false,
                ...(opts.replay ? { replayOf: opts.replay } : {}),
                onProgress: (file, p) => progress.update(file, p),
                onSkip: (file, reason, failure) => skipped.push({ file, reason, failure }),
              })),
            );
          }
          progress.done();
        } finally {
          await ingestion.close().catch(() => undefined);
        }
      }
      let waited: 'done' | string | undefined;
      if (opts.wait && summaries.some((s) => s.status === 'succeeded')) {
        const produced: Record<string, string> = {};
        for (const s of summaries) for (const [k, v] of Object.entries(s.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
        ctx.say(`Chờ sink / waiting for the sink (group ${ctx.cfg.sinkGroup ?? SINK_GROUP})...`);
        try {
          await waitForSink({ kafka, groupId: ctx.cfg.sinkGroup ?? SINK_GROUP, produced, timeoutMs: waitSeconds * 1000 });
          waited = 'done';
        } catch (e) {
          waited = errorMessage(e);
        }
      }
      if (workflowError && summaries.length === 0) {
        // Nothing ran (origin gone, worker refused): the workflow's reason is the whole answer.
        ctx.result({ runs: [], skipped, error: workflowError }, () => `THẤT BẠI / FAILED  ${target}: ${workflowError}`);
        process.exitCode = 1;
        return;
      }
      if (summaries.length === 0 && skipped.length === 0) throw new UsageError(`${target}: no export file found (expected .ndjson, .jsonl, .json, .csv or .xlsx)`);
      ctx.result({ runs: summaries, skipped, ...(waited ? { waited } : {}) }, () =>
        [
          ...summaries.map((s) => describe(s, `Kafka topic ${t.rejects}, run_id {run} (ClickHouse table rejects once the sink has consumed them)`)),
          ...skipped.map((s) => `${s.failure ? 'BỎ QUA / NOT INGESTED' : 'Bỏ qua / skipped'}  ${s.file}: ${s.reason}`),
          ...(waited === 'done' ? ['Sink đã nhận đủ / the sink has consumed every message of these runs'] : waited ? [`wait: ${waited}`] : []),
        ].join('\n'),
      );
      if (summaries.some((s) => s.status === 'failed') || skipped.some((s) => s.failure) || (waited !== undefined && waited !== 'done')) process.exitCode = 1;
    });
}
