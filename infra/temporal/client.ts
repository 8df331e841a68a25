// The Temporal client that operator commands and the API use to reach the worker (the process owning the store).
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../schemas/config.ts';
import { InfraError } from '../../lib/errors.ts';

/** How long a command waits for a worker to poll its task queue before it says none runs. */
const WORKER_WAIT_MS = 15_000;
/** A worker long-polls for up to a minute: a poller seen within this is still there. */
const POLLER_FRESH_MS = 90_000;

export async function withTemporal<T>(cfg: Config, fn: (client: Client) => Promise<T>): Promise<T> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: cfg.temporal.address, connectTimeout: 5_000 });
  } catch (e) {
    throw new InfraError(`cannot reach Temporal at ${cfg.temporal.address}: is the stack up ('chiso up')?`, 'TEMPORAL_UNREACHABLE', {}, { cause: e, retriable: false });
  }
  try {
    return await fn(new Client({ connection, namespace: cfg.temporal.namespace }));
  } finally {
    await connection.close();
  }
}

/**
 * Fails with a clear message when no worker polls the task queue: a workflow started there would
 * wait forever. Waits a little for a worker that is just starting; a poller Temporal last saw long
 * ago (a worker killed since) does not count.
 */
export async function requireWorker(client: Client, cfg: Config, hint = ''): Promise<void> {
  const { namespace, taskQueue } = cfg.temporal;
  const deadline = Date.now() + WORKER_WAIT_MS;
  for (;;) {
    // 1 = TASK_QUEUE_KIND_NORMAL, 1 = TASK_QUEUE_TYPE_WORKFLOW (the proto enums, without importing @temporalio/proto).
    const r = await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: 1 }, taskQueueType: 1 });
    const now = Date.now();
    const fresh = (r.pollers ?? []).some((p) => {
      const s = p.lastAccessTime?.seconds;
      const ms = s === undefined || s === null ? 0 : Number(s) * 1000 + Math.floor((p.lastAccessTime?.nanos ?? 0) / 1e6);
      return now - ms < POLLER_FRESH_MS;
    });
    if (fresh) return;
    if (Date.now() >= deadline) {
      throw new InfraError(
        `no chiso worker polls the task queue '${taskQueue}' on Temporal ${cfg.temporal.address} (namespace ${namespace}): start it ('chiso up', or a 'chiso serve' with the worker role) and run the command again${hint}`,
        'NO_WORKER',
        { taskQueue },
        { retriable: false },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
