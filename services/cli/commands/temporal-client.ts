// The Temporal client the operator's commands use to reach the worker (the process owning the store).
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../../schemas/config.ts';
import { InfraError } from '../../lib/errors.ts';

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
