// The operator's write commands when CHISO_API_URL is set: everything goes through the chiso API
// (services/ioc-api/routes/operations.ts), nothing through Kafka, Temporal or a local data directory.
// Each command starts its job on the server and follows it to its end; the results have the shapes
// of the local commands, so --json readers need not know where the command ran.
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { formatOf } from '../../connectors/files.ts';
import type { RunSummary } from '../../connectors/run.ts';
import type { EntityName, SourceId } from '../../schemas/events.ts';
import { type ApiClient, apiClient, expectOk } from '../ioc-api/client.ts';
import type { JobState } from '../ioc-api/jobs.ts';
import { InfraError } from '../../lib/errors.ts';
import type { Context } from './context.ts';

/** Follows a job on the server until it ends (each poll waits up to 20 s there); onTick sees each running state. */
export async function followJob(api: ApiClient, job: string, onTick?: (s: JobState) => void): Promise<JobState> {
  for (;;) {
    const s = (await (await expectOk(await api.get(`/internal/jobs/${encodeURIComponent(job)}?wait=20`))).json()) as JobState;
    if (s.status !== 'running') return s;
    onTick?.(s);
  }
}

async function startJob<T extends { job: string }>(api: ApiClient, path: string, body: unknown): Promise<T> {
  return (await (await expectOk(await api.post(path, body))).json()) as T;
}

/** A progress bar on stderr while a file uploads, only on a terminal. */
function uploadBar(name: string, size: number): { update(sent: number): void; done(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, done: () => undefined };
  let last = -1;
  return {
    update(sent) {
      const pct = size === 0 ? 100 : Math.floor((sent / size) * 100);
      if (pct === last) return;
      last = pct;
      const filled = Math.round(pct / 5);
      process.stderr.write(`\rtải lên / uploading ${name} [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${pct}%  `);
    },
    done() {
      if (last >= 0) process.stderr.write('\n');
    },
  };
}

export interface RemoteIngestRequest {
  source: SourceId;
  entity?: EntityName;
  target: string;
  force: boolean;
  wait: boolean;
  waitSeconds: number;
}

export interface RemoteIngestOutcome {
  runs: RunSummary[];
  skipped: { file: string; reason: string; failure: boolean }[];
  uploads: { file: string; runId: string; job: string; archive: { sha256: string; bytes: number; stored: 'new' | 'existing' } }[];
  error?: string;
  waited?: string;
}

/** The export files of a path: the file itself, or a folder's files in a known format (sorted, not hidden). */
async function filesOf(target: string): Promise<string[]> {
  if (!(await stat(target)).isDirectory()) return [target];
  const names = (await readdir(target)).filter((n) => !n.startsWith('.') && formatOf(n)).sort();
  return names.map((n) => join(target, n));
}

/** `chiso ingest` through the API: each file uploaded (streamed) and ingested on the server, followed to its end. */
export async function remoteIngest(ctx: Context, req: RemoteIngestRequest): Promise<RemoteIngestOutcome> {
  const api = apiClient(ctx.cfg);
  const out: RemoteIngestOutcome = { runs: [], skipped: [], uploads: [] };
  const errors: string[] = [];
  for (const file of await filesOf(req.target)) {
    const size = (await stat(file)).size;
    const qs = new URLSearchParams({ source: req.source, name: basename(file), ...(req.entity ? { entity: req.entity } : {}), ...(req.force ? { force: 'true' } : {}) });
    const bar = uploadBar(basename(file), size);
    let r: Response;
    try {
      r = await api.upload(`/internal/ingest?${qs}`, file, size, (sent) => bar.update(sent));
    } finally {
      bar.done();
    }
    const started = (await (await expectOk(r)).json()) as { job: string; runId: string; archive: RemoteIngestOutcome['uploads'][number]['archive'] };
    out.uploads.push({ file, runId: started.runId, job: started.job, archive: started.archive });
    ctx.say(`${basename(file)}: ${started.archive.stored === 'existing' ? 'đã có trên máy chủ / already archived on the server (stored once)' : 'đã tải lên / uploaded'}, run ${started.runId}`);
    const s = await followJob(api, started.job);
    const result = (s.status === 'completed' ? s.result : s.details) as { runs?: RunSummary[]; skipped?: RemoteIngestOutcome['skipped'] } | undefined;
    out.runs.push(...(result?.runs ?? []));
    // The server's skip names its archived path; the operator knows the file by its own name.
    out.skipped.push(...(result?.skipped ?? []).map((x) => ({ ...x, file })));
    if (s.status === 'failed' && (result?.runs ?? []).length === 0 && (result?.skipped ?? []).length === 0) errors.push(`${file}: ${s.type ? `${s.type}: ` : ''}${s.error ?? 'failed'}`);
  }
  if (errors.length > 0) out.error = errors.join('; ');
  if (req.wait && out.runs.some((x) => x.status === 'succeeded')) {
    const produced: Record<string, string> = {};
    for (const s of out.runs) for (const [k, v] of Object.entries(s.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
    ctx.say('Chờ sink / waiting for the sink on the server...');
    const r = await api.post('/internal/sink-wait', { produced, timeoutSeconds: Math.min(600, Math.ceil(req.waitSeconds)) });
    out.waited = r.ok ? 'done' : (((await r.json().catch(() => ({}))) as { reason?: string }).reason ?? `HTTP ${r.status}`);
  }
  return out;
}

export type ReplayOutcome = { runId: string; ok: true; summary: unknown; replayRunId: string } | { runId: string; ok: false; error: string; type?: string };

/** `chiso replay RUN` through the API: the server reads its archived copy of the run's file again. */
export async function remoteReplay(ctx: Context, runId: string, waitSeconds: number): Promise<ReplayOutcome> {
  const api = apiClient(ctx.cfg);
  const started = await startJob<{ job: string; replayRunId: string }>(api, '/internal/replay', { run: runId, waitTimeoutSeconds: Math.min(3600, Math.ceil(waitSeconds)) });
  ctx.say(`Phát lại / replaying ${runId} as ${started.replayRunId} on the server (job ${started.job})...`);
  const s = await followJob(api, started.job);
  if (s.status === 'completed') return { runId, ok: true, summary: s.result, replayRunId: started.replayRunId };
  return { runId, ok: false, error: s.error ?? 'failed', ...(s.type ? { type: s.type } : {}) };
}

/** `chiso compute` through the API, printing the backfill's progress as the server reports it. */
export async function remoteCompute(ctx: Context, from: string, to: string): Promise<unknown> {
  const api = apiClient(ctx.cfg);
  const started = await startJob<{ job: string }>(api, '/internal/compute', { from, to });
  ctx.say(`computing ${from}..${to} on the server (job ${started.job})`);
  let last = '';
  const s = await followJob(api, started.job, (st) => {
    const p = st.progress as { done: number; total: number; periodsDone: number; periodsTotal: number } | undefined;
    const line = p ? `  days ${p.done}/${p.total}, months/quarters/years ${p.periodsDone}/${p.periodsTotal}` : '';
    if (line && line !== last) ctx.say((last = line));
  });
  return resultOf(s);
}

/** `chiso nightly` through the API; without wait, only starts it. */
export async function remoteNightly(ctx: Context, date: string | undefined, wait: boolean): Promise<{ job: string; result?: unknown }> {
  const api = apiClient(ctx.cfg);
  const started = await startJob<{ job: string }>(api, '/internal/nightly', date ? { date } : {});
  if (!wait) return { job: started.job };
  return { job: started.job, result: resultOf(await followJob(api, started.job)) };
}

/** `chiso import-*` through the API: the server validates the CSV again and writes it on the worker. */
export async function remoteImport(ctx: Context, kind: string, csv: string): Promise<{ written: number; errors: { line: number; field: string; reason: string }[] }> {
  const api = apiClient(ctx.cfg);
  const started = await startJob<{ job: string }>(api, '/internal/import', { kind, csv });
  return resultOf(await followJob(api, started.job)) as { written: number; errors: { line: number; field: string; reason: string }[] };
}

/** `chiso status` through the API: the server's readiness, with details for an operator token. */
export async function remoteStatus(ctx: Context): Promise<unknown> {
  const api = apiClient(ctx.cfg);
  const r = await api.getRoot('/health/ready');
  if (r.status === 401 || r.status === 403) await expectOk(r);
  return r.json();
}

function resultOf(s: JobState): unknown {
  if (s.status === 'completed') return s.result;
  throw new InfraError(`the job ${s.id} failed on the server: ${s.type ? `${s.type}: ` : ''}${s.error ?? 'no reason given'}`, 'JOB_FAILED', { job: s.id }, { retriable: false });
}
