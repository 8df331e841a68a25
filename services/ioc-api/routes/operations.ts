// The operator's write commands through the API (operator tokens only), so that an operator with the
// API's address and a token needs neither Kafka nor Temporal nor the server's disk:
//   POST /internal/ingest?source=&name=[&entity=][&force=]  the export file as the body (streamed,
//        archived content-addressed, at most CHISO_UPLOAD_MAX_BYTES: 413 beyond), then its ingestion;
//   POST /internal/replay {run}, /internal/compute {from,to}, /internal/nightly {date?},
//        /internal/import {kind,csv}: each starts its workflow on the worker;
//   GET  /internal/jobs/{id}?wait=S  a started job: running, its result, or its failure;
//   POST /internal/sink-wait {produced,timeoutSeconds}  until the sink has consumed what a run produced.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { formatOf, newRunId } from '../../../connectors/files.ts';
import { acceptedEntityNames, entityFromName } from '../../../connectors/mappers.ts';
import { waitForSink } from '../../../connectors/wait-for-sink.ts';
import { ENTITIES, entityName, sourceId } from '../../../schemas/events.ts';
import { SINK_GROUP } from '../../../schemas/topics.ts';
import { ingestWorkflowId } from '../../../workflows/ingest.ts';
import { replayWorkflowId } from '../../../workflows/replay.ts';
import { IMPORTS, type ImportKind, parseCsv } from '../../../indicators/import.ts';
import { ChisoError, errorMessage } from '../../../lib/errors.ts';
import { archiveUpload, safeFileName, UploadTooLarge } from '../archive.ts';
import { requireUnscoped } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { JOB_PREFIXES, type Jobs } from '../jobs.ts';
import { flag, isoDate, parseParams, runId, sendBad } from '../params.ts';

const ingestSchema = z.strictObject({
  source: sourceId,
  name: z.string().min(1, 'required').max(255, 'expected at most 255 characters'),
  entity: entityName.optional(),
  force: flag.default(false),
});
const replaySchema = z.strictObject({ run: runId, waitTimeoutSeconds: z.number().int().min(1).max(3600).default(600) });
const computeSchema = z.strictObject({ from: isoDate, to: isoDate });
const nightlySchema = z.strictObject({ date: isoDate.optional() });
const importSchema = z.strictObject({
  kind: z.enum(Object.keys(IMPORTS) as [ImportKind, ...ImportKind[]], { error: `expected one of ${Object.keys(IMPORTS).join(', ')}` }),
  csv: z.string().min(1, 'required'),
});
const jobSchema = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'expected a job id') });
const jobQuery = z.strictObject({ wait: z.coerce.number({ error: 'expected 0-30 seconds' }).int().min(0).max(30).default(0) });
const sinkWaitSchema = z.strictObject({
  produced: z.record(z.string().regex(/^[A-Za-z0-9._-]+:\d+$/, 'expected topic:partition'), z.string().regex(/^\d+$/, 'expected an offset')),
  timeoutSeconds: z.number().int().min(1).max(600).default(120),
});

const randomTag = () => randomBytes(3).toString('hex');

/** Temporal or the worker missing is the server's state, not the caller's mistake: 503 with its reason. */
function unavailable(reply: FastifyReply, e: unknown, extra: Record<string, unknown> = {}): FastifyReply {
  if (e instanceof ChisoError && (e.code === 'NO_WORKER' || e.code === 'TEMPORAL_UNREACHABLE')) {
    return reply.code(503).send({ error: 'unavailable', field: '', reason: e.message, ...extra });
  }
  throw e;
}

async function startJob(reply: FastifyReply, jobs: Jobs, workflow: string, workflowId: string, args: unknown[], extra: Record<string, unknown> = {}): Promise<FastifyReply> {
  try {
    await jobs.start(workflow, workflowId, args);
  } catch (e) {
    // What was done before (an upload archived) is still said: the operator need not send it again.
    return unavailable(reply, e, extra);
  }
  return reply.code(202).send({ job: workflowId, ...extra });
}

export function operationsRoutes(api: FastifyInstance, deps: RouteDeps & { jobs: Jobs }): void {
  const { jobs, cfg } = deps;
  // Export files arrive as raw bytes; the ingest route streams them itself (no buffering, own limit).
  api.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null));

  api.post('/internal/ingest', { bodyLimit: cfg.uploadMaxBytes }, async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(ingestSchema, req.query);
    if (!p.ok) return sendBad(reply, p.bad);
    const q = p.data;
    const name = safeFileName(q.name);
    if (!formatOf(name)) return sendBad(reply, { error: 'bad_request', field: 'name', reason: 'expected a file name ending in .ndjson, .jsonl, .json, .csv, .txt or .xlsx' });
    const entity = q.entity ?? entityFromName(q.source, name);
    if (!entity) return sendBad(reply, { error: 'bad_request', field: 'entity', reason: `cannot tell which ${q.source} entity this file holds: give entity, or name the file after one of: ${acceptedEntityNames(q.source)}` });
    if (!(ENTITIES[q.source] as readonly string[]).includes(entity)) return sendBad(reply, { error: 'bad_request', field: 'entity', reason: `expected one of ${ENTITIES[q.source].join(', ')} for ${q.source}` });
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > cfg.uploadMaxBytes) {
      return reply.code(413).header('connection', 'close').send({ error: 'too_large', field: 'body', reason: `the file has ${declared} bytes; this server accepts at most ${cfg.uploadMaxBytes} (CHISO_UPLOAD_MAX_BYTES)` });
    }
    let archived;
    try {
      archived = await archiveUpload(cfg.dataDir, name, req.raw, cfg.uploadMaxBytes);
    } catch (e) {
      if (e instanceof UploadTooLarge) return reply.code(413).header('connection', 'close').send({ error: 'too_large', field: 'body', reason: e.message });
      throw e;
    }
    deps.log.info({ sha256: archived.sha256, bytes: archived.bytes, stored: archived.stored, source: q.source, entity }, 'export archived');
    const run = newRunId();
    return startJob(reply, jobs, 'ingest', ingestWorkflowId(run), [{ source: q.source, entity, origin: archived.path, runId: run, ...(q.force ? { force: true } : {}) }], {
      runId: run,
      source: q.source,
      entity,
      archive: { name, sha256: archived.sha256, bytes: archived.bytes, stored: archived.stored, path: archived.path },
    });
  });

  api.post('/internal/replay', async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(replaySchema, req.body);
    if (!p.ok) return sendBad(reply, p.bad);
    const replayRunId = newRunId();
    return startJob(reply, jobs, 'replay', replayWorkflowId(replayRunId), [{ runId: p.data.run, replayRunId, sinkTimeoutMs: p.data.waitTimeoutSeconds * 1000 }], { runId: p.data.run, replayRunId });
  });

  api.post('/internal/compute', async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(computeSchema, req.body);
    if (!p.ok) return sendBad(reply, p.bad);
    if (p.data.from > p.data.to) return sendBad(reply, { error: 'bad_request', field: 'from', reason: `from ${p.data.from} is after to ${p.data.to}` });
    return startJob(reply, jobs, 'backfill', `chiso-compute-${p.data.from}-${p.data.to}-${randomTag()}`, [p.data], p.data);
  });

  api.post('/internal/nightly', async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(nightlySchema, req.body);
    if (!p.ok) return sendBad(reply, p.bad);
    // The workflow takes "today"; the operator names the day to compute as yesterday.
    const today = p.data.date ? new Date(Date.parse(`${p.data.date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : undefined;
    return startJob(reply, jobs, 'nightly', `chiso-nightly-manual-${today ?? 'now'}-${randomTag()}`, [today ? { today } : {}]);
  });

  api.post('/internal/import', { bodyLimit: 32 * 1024 * 1024 }, async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(importSchema, req.body);
    if (!p.ok) return sendBad(reply, p.bad);
    const parsed = parseCsv(p.data.kind, p.data.csv);
    if (parsed.errors.length > 0) {
      return reply.code(400).send({ error: 'bad_request', field: 'csv', reason: `${parsed.errors.length} bad row(s), nothing imported`, errors: parsed.errors });
    }
    // Manual rows keep their line: the worker refuses unknown units row by row.
    const rows = p.data.kind === 'manual' ? parsed.rows.map((r, i) => ({ ...r, line: i + 2 })) : parsed.rows;
    return startJob(reply, jobs, 'importData', `chiso-import-${p.data.kind}-${randomBytes(4).toString('hex')}`, [{ kind: p.data.kind, rows }], { kind: p.data.kind, rows: rows.length });
  });

  api.get('/internal/jobs/:id', async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(jobSchema, req.params);
    if (!p.ok) return sendBad(reply, p.bad);
    const w = parseParams(jobQuery, req.query);
    if (!w.ok) return sendBad(reply, w.bad);
    const notFound = () => reply.code(404).send({ error: 'not_found', field: 'id', reason: `no operator job ${p.data.id}` });
    if (!JOB_PREFIXES.some((x) => p.data.id.startsWith(x))) return notFound();
    let state;
    try {
      state = await jobs.state(p.data.id, w.data.wait * 1000);
    } catch (e) {
      return unavailable(reply, e);
    }
    return state ?? notFound();
  });

  api.post('/internal/sink-wait', async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(sinkWaitSchema, req.body);
    if (!p.ok) return sendBad(reply, p.bad);
    try {
      await waitForSink({ kafka: jobs.kafka(), groupId: cfg.sinkGroup ?? SINK_GROUP, produced: p.data.produced, timeoutMs: p.data.timeoutSeconds * 1000 });
      return { waited: 'done' };
    } catch (e) {
      return reply.code(504).send({ error: 'timeout', field: '', reason: errorMessage(e) });
    }
  });
}
