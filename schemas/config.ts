// The one configuration schema: every environment variable chiso reads, parsed once at start-up.
// Nothing else reads process.env; callers receive a Config and pass it down.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../lib/errors.ts';
import { type Deployment, deploymentOf } from './deployment.ts';
import { parsePullSources, type PullSource } from './pull-sources.ts';

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name}: expected a TCP port number (1-65535)` })
    .int({ error: `${name}: expected a whole TCP port number (1-65535)` })
    .min(1, { error: `${name}: expected a TCP port number (1-65535)` })
    .max(65535, { error: `${name}: expected a TCP port number (1-65535)` })
    .default(fallback);

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const brokers = z
  .string()
  .trim()
  .transform((v) => v.split(',').map((b) => b.trim()).filter((b) => b.length > 0))
  .refine((list) => list.length > 0 && list.every((b) => hostPort.test(b)), {
    error: 'KAFKA_BROKERS: expected a comma-separated list of host:port, e.g. 10.0.0.5:9092,10.0.0.6:9092',
  });

const identifier = (name: string, fallback: string) =>
  z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
      error: `${name}: expected a ClickHouse identifier (lower-case letters, digits, _; not starting with a digit)`,
    })
    .default(fallback);

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
  error: 'CHISO_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
});

export const envSchema = z.object({
  CHISO_DATA_DIR: z.string().trim().min(1).default('.data'),
  CHISO_CACHE_DIR: optionalText,
  CHISO_LOG_LEVEL: logLevel.default('info'),
  CHISO_BIND_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** server: secrets must be given (schemas/deployment.ts); unset: server when CLICKHOUSE_URL is set, else embedded. */
  CHISO_MODE: z.enum(['server'], { error: 'CHISO_MODE: expected server (or unset: server when CLICKHOUSE_URL is set, else the embedded default)' }).optional(),

  KAFKA_BROKERS: brokers.optional(),
  KAFKA_HOME: optionalText,
  KAFKA_PORT: port('KAFKA_PORT', 19092),
  KAFKA_CONTROLLER_PORT: port('KAFKA_CONTROLLER_PORT', 19093),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, { error: 'KAFKA_TOPIC_PREFIX: expected letters, digits, ".", "_" or "-"' })
    .default(''),

  TEMPORAL_ADDRESS: z
    .string()
    .trim()
    .regex(hostPort, { error: 'TEMPORAL_ADDRESS: expected host:port, e.g. temporal.example.vn:7233' })
    .optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('chiso'),
  TEMPORAL_CLI: optionalText,
  TEMPORAL_PORT: port('TEMPORAL_PORT', 17233),
  TEMPORAL_UI_PORT: port('TEMPORAL_UI_PORT', 18233),

  CLICKHOUSE_URL: z
    .url({ protocol: /^https?$/, error: 'CLICKHOUSE_URL: expected an http(s) URL, e.g. http://clickhouse:8123' })
    .optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: identifier('CLICKHOUSE_DATABASE', 'chiso'),
  /** Server mode: the read-only user the SQL endpoint (`chiso query`) runs as; SELECT on chiso's tables only (docs/sql-query.md). */
  CLICKHOUSE_QUERY_USER: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: 'CLICKHOUSE_QUERY_USER: expected a ClickHouse user name (letters, digits, _), e.g. chiso_query' }).optional(),
  CLICKHOUSE_QUERY_PASSWORD: z.string().default(''),
  /** The SQL endpoint's max_execution_time, 1-30 seconds. */
  CHISO_QUERY_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'CHISO_QUERY_TIMEOUT_SECONDS: expected 1-30 seconds' })
    .int({ error: 'CHISO_QUERY_TIMEOUT_SECONDS: expected a whole number of seconds (1-30)' })
    .min(1, { error: 'CHISO_QUERY_TIMEOUT_SECONDS: expected 1-30 seconds' })
    .max(30, { error: 'CHISO_QUERY_TIMEOUT_SECONDS: expected 1-30 seconds' })
    .default(30),
  /** A ClickHouse cluster (remote_servers) name: migrations create Replicated + Distributed tables ON CLUSTER (docs/deploy.md). */
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: 'CLICKHOUSE_CLUSTER: expected a cluster name of remote_servers (letters, digits, _; not starting with a digit)' })
    .optional(),
  /** A workflow bundle built ahead (infra/temporal/bundle-workflows.ts; the Docker image sets it): the worker loads it instead of bundling at start. */
  CHISO_WORKFLOW_BUNDLE: optionalText,

  CHISO_API_PORT: port('CHISO_API_PORT', 8088),
  CHISO_PII_SECRET: z.string().min(16, { error: 'CHISO_PII_SECRET: expected a secret of at least 16 characters (the HMAC key for personal data)' }).optional(),
  CHISO_SOURCE_API_TOKEN: z.string().trim().min(8, { error: 'CHISO_SOURCE_API_TOKEN: expected the bearer token of the sources\' HTTP export API (at least 8 characters)' }).optional(),
  CHISO_API_TOKENS: z
    .string()
    .transform((v) => v.split(',').map((t) => t.trim()).filter((t) => t.length > 0))
    .pipe(
      z.array(
        z.string().regex(/^[A-Za-z0-9._~-]{16,}(@[A-Za-z0-9._-]+)?$/, {
          error: 'CHISO_API_TOKENS: expected a comma-separated list of token or token@UNIT_CODE, each token at least 16 of A-Z a-z 0-9 . _ ~ -',
        }),
      ),
    )
    .optional(),
  /** When set, GET /metrics asks for `Authorization: Bearer <this>`; unset, it is open (bind the port to a private network). */
  CHISO_METRICS_TOKEN: z.string().regex(/^[A-Za-z0-9._~-]{16,}$/, { error: 'CHISO_METRICS_TOKEN: expected a token of at least 16 of A-Z a-z 0-9 . _ ~ -' }).optional(),
  CHISO_ROLES: z
    .string()
    .transform((v) => v.split(',').map((r) => r.trim()).filter((r) => r.length > 0))
    .pipe(z.array(z.enum(['sink', 'worker', 'api'], { error: 'CHISO_ROLES: expected a comma-separated list of sink, worker, api' })).min(1))
    .default(['sink', 'worker', 'api']),
  /** The sink's consumer group; unset: chiso-sink (SINK_GROUP). Tests give each sink its own. */
  CHISO_SINK_GROUP: z.string().regex(/^[A-Za-z0-9._-]+$/, { error: 'CHISO_SINK_GROUP: expected letters, digits, ".", "_" or "-"' }).optional(),
  /** Sources pulled by a Temporal Schedule each (schemas/pull-sources.ts): JSON inline, or a JSON/YAML file. */
  CHISO_SOURCES: optionalText,
  CHISO_SOURCES_FILE: optionalText,
  CHISO_PULL_MINUTES: z.coerce
    .number({ error: 'CHISO_PULL_MINUTES: expected how many minutes between two pulls of a configured source (1-1440)' })
    .int({ error: 'CHISO_PULL_MINUTES: expected a whole number of minutes (1-1440)' })
    .min(1, { error: 'CHISO_PULL_MINUTES: expected 1-1440 minutes' })
    .max(1440, { error: 'CHISO_PULL_MINUTES: expected 1-1440 minutes' })
    .default(15),
  /** 1: the process applies pending migrations at start (the embedded `chiso up`/`start` set it); unset: a role refuses to start on a store that is behind. */
  CHISO_AUTO_MIGRATE: z.enum(['0', '1'], { error: 'CHISO_AUTO_MIGRATE: expected 1 (apply pending migrations at start) or 0' }).default('0'),
  /** Seconds a role has after SIGTERM to drain (sink batch committed, activities finished, requests answered) before it gives up. */
  CHISO_DRAIN_SECONDS: z.coerce
    .number({ error: 'CHISO_DRAIN_SECONDS: expected how many seconds a stopping process may drain (1-3600)' })
    .int({ error: 'CHISO_DRAIN_SECONDS: expected a whole number of seconds (1-3600)' })
    .min(1, { error: 'CHISO_DRAIN_SECONDS: expected 1-3600 seconds' })
    .max(3600, { error: 'CHISO_DRAIN_SECONDS: expected 1-3600 seconds' })
    .default(25),
  /** The operator's side: a chiso API to send every operator command to, and its bearer token. */
  CHISO_API_URL: z.url({ protocol: /^https?$/, error: 'CHISO_API_URL: expected the http(s) address of a chiso API, e.g. https://chiso.example.vn' }).optional(),
  CHISO_API_TOKEN: z.string().regex(/^[A-Za-z0-9._~-]{16,}$/, { error: 'CHISO_API_TOKEN: expected an operator token of at least 16 of A-Z a-z 0-9 . _ ~ -' }).optional(),
  /** The api role: the largest export file it accepts (bytes), 413 beyond. */
  CHISO_UPLOAD_MAX_BYTES: z.coerce
    .number({ error: 'CHISO_UPLOAD_MAX_BYTES: expected a number of bytes' })
    .int({ error: 'CHISO_UPLOAD_MAX_BYTES: expected a whole number of bytes' })
    .min(1, { error: 'CHISO_UPLOAD_MAX_BYTES: expected at least 1 byte' })
    .default(2 * 1024 ** 3),
  /** The api role: uploaded exports older than this many days are removed from the archive; unset: kept. */
  CHISO_ARCHIVE_RETENTION_DAYS: z.coerce
    .number({ error: 'CHISO_ARCHIVE_RETENTION_DAYS: expected a number of days' })
    .int({ error: 'CHISO_ARCHIVE_RETENTION_DAYS: expected a whole number of days' })
    .min(1, { error: 'CHISO_ARCHIVE_RETENTION_DAYS: expected at least 1 day' })
    .optional(),
  /** TEST-ONLY fault injection for the sink's crash tests; never set it in a deployment. */
  CHISO_FAULT: z
    .enum(['sink-kill-after-insert', 'sink-kill-before-commit'], {
      error: 'CHISO_FAULT: test-only; expected sink-kill-after-insert or sink-kill-before-commit (or unset)',
    })
    .optional(),
});

/** What a chiso service needs when it runs against servers (docker-compose, a cluster) rather than embedded. */
export const SERVER_MODE_VARIABLES = ['KAFKA_BROKERS', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DATABASE', 'CHISO_ROLES'] as const;

export type Env = z.infer<typeof envSchema>;

export interface Config {
  /** embedded: secrets generated into dataDir/secrets; server: CHISO_PII_SECRET and CHISO_API_TOKENS required (schemas/deployment.ts). */
  deployment: Deployment;
  dataDir: string;
  cacheDir: string;
  logLevel: Env['CHISO_LOG_LEVEL'];
  bindHost: string;
  kafka: {
    /** Set when an existing cluster is configured: nothing is started locally. */
    external: boolean;
    brokers: string[];
    home?: string;
    port: number;
    controllerPort: number;
    topicPrefix: string;
  };
  temporal: {
    external: boolean;
    address: string;
    namespace: string;
    taskQueue: string;
    cli?: string;
    port: number;
    uiPort: number;
    /** A prebuilt workflow bundle (CHISO_WORKFLOW_BUNDLE) used instead of bundling workflows/ at start. */
    workflowBundle?: string;
  };
  clickhouse: {
    /** 'chdb' keeps the store in-process under dataDir/chdb; 'server' speaks HTTP to url. */
    mode: 'chdb' | 'server';
    url?: string;
    user: string;
    password: string;
    database: string;
    chdbPath: string;
    /** CLICKHOUSE_CLUSTER: migrations run ON CLUSTER with replicated, distributed tables (server mode only). */
    cluster?: string;
    /** Server mode: the SQL endpoint's read-only user (CLICKHOUSE_QUERY_USER / _PASSWORD). */
    query?: { user: string; password: string };
  };
  api: { port: number };
  /** The SQL endpoint's max_execution_time in seconds (CHISO_QUERY_TIMEOUT_SECONDS, 1-30). */
  queryTimeoutSeconds: number;
  /** HMAC key for personal data; when unset the embedded stack keeps a generated one under dataDir/secrets. */
  piiSecret?: string;
  /** Bearer token for the sources' HTTP export API (and the default of `npm run simulator`). */
  sourceApiToken?: string;
  /** IOC API bearer tokens; a token limited to a unit's subtree carries that unit code. Unset: the embedded stack generates one. */
  apiTokens?: { token: string; unit?: string }[];
  /** Bearer token Prometheus sends to GET /metrics (CHISO_METRICS_TOKEN); unset: /metrics is open. */
  metricsToken?: string;
  /** Which parts this process runs: all three in the embedded all-in-one process. */
  roles: ('sink' | 'worker' | 'api')[];
  /** The sink's consumer group when not the default SINK_GROUP (CHISO_SINK_GROUP). */
  sinkGroup?: string;
  /** Sources pulled on a schedule (CHISO_SOURCES / CHISO_SOURCES_FILE); empty: none. */
  sources: PullSource[];
  /** Minutes between two pulls of each configured source (CHISO_PULL_MINUTES). */
  pullMinutes: number;
  /** CHISO_AUTO_MIGRATE=1: apply pending migrations at start instead of refusing to start. */
  autoMigrate: boolean;
  /** CHISO_DRAIN_SECONDS, in milliseconds: the bound on a stop after SIGTERM. */
  drainMs: number;
  /** CHISO_API_URL and CHISO_API_TOKEN: the CLI sends every operator command to this API. */
  remote?: { url: string; token?: string };
  /** The largest export upload the API accepts (CHISO_UPLOAD_MAX_BYTES). */
  uploadMaxBytes: number;
  /** Days an uploaded export stays in the archive (CHISO_ARCHIVE_RETENTION_DAYS); unset: forever. */
  archiveRetentionDays?: number;
  /** TEST-ONLY: makes the sink SIGKILL itself after its first insert of a batch, or just before its first commit. */
  fault?: 'sink-kill-after-insert' | 'sink-kill-before-commit';
}

/** Parses the environment; throws ConfigError whose message names each bad variable and the expected form. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  const pulled = parsePullSources(set, e.CHISO_SOURCES, e.CHISO_SOURCES_FILE);
  if (!pulled.ok) throw new ConfigError(`Invalid configuration:\n✖ ${pulled.error}`);
  if (e.CLICKHOUSE_CLUSTER && !e.CLICKHOUSE_URL) {
    throw new ConfigError('Invalid configuration:\n✖ CLICKHOUSE_CLUSTER: expected CLICKHOUSE_URL too (a cluster is a ClickHouse server deployment; chDB has none)');
  }
  const dataDir = resolve(e.CHISO_DATA_DIR);
  const host = e.CHISO_BIND_HOST;
  return {
    deployment: deploymentOf(e),
    dataDir,
    cacheDir: resolve(e.CHISO_CACHE_DIR ?? `${homedir()}/.cache/chiso`),
    logLevel: e.CHISO_LOG_LEVEL,
    bindHost: host,
    kafka: {
      external: e.KAFKA_BROKERS !== undefined,
      brokers: e.KAFKA_BROKERS ?? [`${host}:${e.KAFKA_PORT}`],
      ...(e.KAFKA_HOME ? { home: resolve(e.KAFKA_HOME) } : {}),
      port: e.KAFKA_PORT,
      controllerPort: e.KAFKA_CONTROLLER_PORT,
      topicPrefix: e.KAFKA_TOPIC_PREFIX,
    },
    temporal: {
      external: e.TEMPORAL_ADDRESS !== undefined,
      address: e.TEMPORAL_ADDRESS ?? `${host}:${e.TEMPORAL_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      ...(e.TEMPORAL_CLI ? { cli: resolve(e.TEMPORAL_CLI) } : {}),
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      ...(e.CHISO_WORKFLOW_BUNDLE ? { workflowBundle: resolve(e.CHISO_WORKFLOW_BUNDLE) } : {}),
    },
    clickhouse: {
      mode: e.CLICKHOUSE_URL ? 'server' : 'chdb',
      ...(e.CLICKHOUSE_URL ? { url: e.CLICKHOUSE_URL } : {}),
      user: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
      chdbPath: resolve(dataDir, 'chdb'),
      ...(e.CLICKHOUSE_CLUSTER ? { cluster: e.CLICKHOUSE_CLUSTER } : {}),
      ...(e.CLICKHOUSE_QUERY_USER ? { query: { user: e.CLICKHOUSE_QUERY_USER, password: e.CLICKHOUSE_QUERY_PASSWORD } } : {}),
    },
    api: { port: e.CHISO_API_PORT },
    queryTimeoutSeconds: e.CHISO_QUERY_TIMEOUT_SECONDS,
    roles: e.CHISO_ROLES,
    sources: pulled.sources,
    pullMinutes: e.CHISO_PULL_MINUTES,
    autoMigrate: e.CHISO_AUTO_MIGRATE === '1',
    drainMs: e.CHISO_DRAIN_SECONDS * 1000,
    uploadMaxBytes: e.CHISO_UPLOAD_MAX_BYTES,
    ...(e.CHISO_ARCHIVE_RETENTION_DAYS ? { archiveRetentionDays: e.CHISO_ARCHIVE_RETENTION_DAYS } : {}),
    ...(e.CHISO_API_URL ? { remote: { url: e.CHISO_API_URL.replace(/\/+$/, ''), ...(e.CHISO_API_TOKEN ? { token: e.CHISO_API_TOKEN } : {}) } } : {}),
    ...(e.CHISO_SINK_GROUP ? { sinkGroup: e.CHISO_SINK_GROUP } : {}),
    ...(e.CHISO_FAULT ? { fault: e.CHISO_FAULT } : {}),
    ...(e.CHISO_PII_SECRET ? { piiSecret: e.CHISO_PII_SECRET } : {}),
    ...(e.CHISO_SOURCE_API_TOKEN ? { sourceApiToken: e.CHISO_SOURCE_API_TOKEN } : {}),
    ...(e.CHISO_METRICS_TOKEN ? { metricsToken: e.CHISO_METRICS_TOKEN } : {}),
    ...(e.CHISO_API_TOKENS
      ? {
          apiTokens: e.CHISO_API_TOKENS.map((t) => {
            const [token = '', unit] = t.split('@');
            return unit ? { token, unit } : { token };
          }),
        }
      : {}),
  };
}
