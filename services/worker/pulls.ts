// One Temporal Schedule per configured source (CHISO_SOURCES): every CHISO_PULL_MINUTES it starts the
// `ingest` workflow on the folder or export API. Checkpoints make each pull pick up where the last
// one stopped (files already ingested are skipped; an API window resumes after its last page), so a
// failed pull is simply retried by the next one. Created idempotently at worker start; schedules of
// sources no longer configured are deleted.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../../schemas/config.ts';
import { type PullSource, pullSourceKey } from '../../schemas/pull-sources.ts';
import type { IngestInput } from '../../workflows/ingest.ts';
import type { Logger } from '../../lib/logger.ts';

export const PULL_SCHEDULE_PREFIX = 'chiso-pull';

export function pullScheduleOptions(s: PullSource, minutes: number, taskQueue: string, prefix = PULL_SCHEDULE_PREFIX): ScheduleOptions {
  const scheduleId = `${prefix}-${pullSourceKey(s)}`;
  // No token in the arguments (they are visible in the Temporal UI): the activity finds it in config.
  const input: IngestInput = { source: s.source, ...(s.entity ? { entity: s.entity } : {}), origin: 'folder' in s ? s.folder : s.url };
  return {
    scheduleId,
    spec: { intervals: [{ every: `${minutes} minutes` }] },
    // The run id is the workflow id Temporal gives each start (schedule id + time).
    action: { type: 'startWorkflow', workflowType: 'ingest', taskQueue, args: [input], workflowId: scheduleId },
    // A pull still running makes the next one wait; a missed pull is not caught up (the next reads from the checkpoint).
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${Math.max(1, minutes)} minutes`, pauseOnFailure: false },
    memo: { purpose: `chiso: pull ${s.source}${s.entity ? `/${s.entity}` : ''} from ${input.origin}` },
  };
}

/** Creates or updates the schedule of every configured source and deletes those of sources removed from config. */
export async function ensurePullSchedules(client: Client, cfg: Config, log: Logger, prefix = PULL_SCHEDULE_PREFIX): Promise<{ created: string[]; updated: string[]; deleted: string[] }> {
  const out = { created: [] as string[], updated: [] as string[], deleted: [] as string[] };
  const wanted = new Set<string>();
  for (const s of cfg.sources) {
    const options = pullScheduleOptions(s, cfg.pullMinutes, cfg.temporal.taskQueue, prefix);
    wanted.add(options.scheduleId);
    try {
      await client.schedule.create(options);
      out.created.push(options.scheduleId);
      continue;
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    }
    await client.schedule.getHandle(options.scheduleId).update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: options.policies }));
    out.updated.push(options.scheduleId);
  }
  for await (const s of client.schedule.list()) {
    if (s.scheduleId.startsWith(`${prefix}-`) && !wanted.has(s.scheduleId)) {
      await client.schedule.getHandle(s.scheduleId).delete();
      out.deleted.push(s.scheduleId);
    }
  }
  log.info({ ...out, minutes: cfg.pullMinutes }, 'source pull schedules up to date');
  return out;
}
