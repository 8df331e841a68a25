// POST /internal/backup and GET /internal/backup/{job}: `chiso backup` while the chiso process holds
// the chDB store (only one process may open it). Operator tokens only. A backup can outlast any
// HTTP timeout, so POST starts it as a job (one at a time) and the CLI follows it with GET.
import { randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ChisoError, errorMessage } from '../../../lib/errors.ts';
import { type BackupSummary, createBackup } from '../../../infra/clickhouse/backup-run.ts';
import { requireUnscoped } from '../auth.ts';
import type { RouteDeps } from '../deps.ts';
import { parseParams, sendBad, sendError } from '../params.ts';

const startSchema = z.strictObject({
  dest: z.string().min(1, 'required').max(4096).refine(isAbsolute, 'expected an absolute path on the machine of the chiso process'),
  withSecrets: z.boolean().default(false),
});
const jobSchema = z.strictObject({ job: z.uuid('expected the job id that POST /internal/backup answered') });

export type BackupJob = { job: string; dest: string; status: 'running' } | { job: string; dest: string; status: 'done'; summary: BackupSummary } | { job: string; dest: string; status: 'failed'; error: string; usage: boolean };

export function backupRoutes(api: FastifyInstance, deps: RouteDeps): void {
  const jobs = new Map<string, BackupJob>();
  api.post('/internal/backup', async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(startSchema, req.body);
    if (!p.ok) return sendBad(reply, p.bad);
    if ([...jobs.values()].some((j) => j.status === 'running')) return sendError(reply, 409, 'conflict', 'dest', 'a backup is already running; wait for it to end');
    const job = randomUUID();
    const { dest, withSecrets } = p.data;
    jobs.set(job, { job, dest, status: 'running' });
    createBackup(deps.store, deps.cfg, dest, { withSecrets }, deps.log.child({ component: 'backup' })).then(
      (summary) => jobs.set(job, { job, dest, status: 'done', summary }),
      (e: unknown) => {
        deps.log.error({ err: e, dest }, 'backup failed');
        jobs.set(job, { job, dest, status: 'failed', error: errorMessage(e), usage: e instanceof ChisoError && e.code === 'USAGE' });
      },
    );
    return reply.code(202).send(jobs.get(job));
  });
  api.get('/internal/backup/:job', async (req, reply) => {
    if (!requireUnscoped(req, reply)) return reply;
    const p = parseParams(jobSchema, req.params);
    if (!p.ok) return sendBad(reply, p.bad);
    const j = jobs.get(p.data.job);
    if (!j) return sendError(reply, 404, 'not_found', 'job', 'no backup job with this id in this process');
    return reply.send(j);
  });
}
