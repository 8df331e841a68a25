// The one rule that tells a server deployment from the embedded default. A server deployment
// (docker-compose, a cluster) must be given its secrets; the embedded default (chDB in the data
// directory, `npm start`, `chiso up`) generates them once into that directory.
//
// Rule: chiso runs as a server deployment when CHISO_MODE=server, or when CLICKHOUSE_URL names a
// ClickHouse server. Otherwise it is the embedded default.

export type Deployment = 'embedded' | 'server';

export function deploymentOf(env: { CHISO_MODE?: 'server' | undefined; CLICKHOUSE_URL?: string | undefined }): Deployment {
  return env.CHISO_MODE === 'server' || (env.CLICKHOUSE_URL !== undefined && env.CLICKHOUSE_URL !== '') ? 'server' : 'embedded';
}
