// The cluster form of a migration statement (CLICKHOUSE_CLUSTER, docs/deploy.md): the same table
// definitions as the single-node migrations, made replicated and distributed, every DDL ON CLUSTER.
// Pure text in, text out: the migrations stay the one source of the schema.
//
// - A fact table (events, latest state, indicator values ...) becomes `name_local`, a
//   Replicated*MergeTree per shard ({shard}/{replica} macros, same ORDER BY / PARTITION BY / version
//   column), and `name`, a Distributed table over it sharded by a hash of the ORDER BY key, so that
//   every version of a key lands on one shard and FINAL / ReplacingMergeTree still collapse them.
// - A small reference or ledger table (REFERENCE_TABLES) is one Replicated table on every node (one
//   Keeper path for the whole cluster): the views join them locally on each shard, never across shards.
// - Views keep their text: they read `name`, i.e. the Distributed tables. A materialized view fires
//   on inserts into the local table of its source, and writes into its target's Distributed table.
// - The single-node `non_replicated_deduplication_window` becomes `replicated_deduplication_window`
//   (the sink's insert_deduplication_token then works through Keeper, docs/sink.md).
import { InfraError } from '../../lib/errors.ts';

/** Tables small enough to keep whole on every node; their joins in the views stay local. */
export const REFERENCE_TABLES: ReadonlySet<string> = new Set([
  'units',
  'indicators',
  'targets',
  'ingest_runs',
  'compute_watermarks',
  'reports',
  'schema_migrations',
  'schema_migration_failures',
]);

/** The suffix of the per-shard table behind a Distributed one. */
export const LOCAL_SUFFIX = '_local';

/** How long Keeper keeps insert hashes: a sink redelivery after a week-end outage is still dropped. */
export const DEDUP_WINDOW_SECONDS = 7 * 24 * 3600;

const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
// `{db}.name`, `chiso.name` or `name`.
const QNAME = String.raw`((?:\{db\}|[A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)`;
const MERGE_TREES = new Set(['MergeTree', 'ReplacingMergeTree', 'SummingMergeTree', 'AggregatingMergeTree', 'CollapsingMergeTree', 'VersionedCollapsingMergeTree']);
const COLUMN_ALTER = /^(ADD|DROP|MODIFY|RENAME|COMMENT|CLEAR)\s+COLUMN\b/i;

export interface ClusterSchema {
  cluster: string;
  /** The tables split into `name_local` + Distributed `name` (every CREATE TABLE not in REFERENCE_TABLES). */
  sharded: ReadonlySet<string>;
}

/** The sharded tables among the CREATE TABLE statements of every migration (applied ones included). */
export function shardedTables(statements: readonly string[]): Set<string> {
  const out = new Set<string>();
  const re = new RegExp(String.raw`^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${QNAME}`, 'i');
  for (const s of statements) {
    const m = re.exec(s.trim());
    if (m && !REFERENCE_TABLES.has(m[2]!)) out.add(m[2]!);
  }
  return out;
}

/** The schema context of `cluster` over these migration statements. */
export function clusterSchema(cluster: string, statements: readonly string[]): ClusterSchema {
  if (!CLUSTER_NAME.test(cluster)) {
    throw new InfraError(`cluster name ${JSON.stringify(cluster)}: expected letters, digits and _ (a remote_servers entry)`, 'CLUSTER_NAME', { cluster }, { retriable: false });
  }
  return { cluster, sharded: shardedTables(statements) };
}

/** The statement(s) to run on a cluster instead of `statement`, in order. */
export function toCluster(statement: string, schema: ClusterSchema): string[] {
  const s = statement.trim();
  if (/^CREATE\s+TABLE\b/i.test(s)) return createTable(s, schema);
  if (/^CREATE\s+MATERIALIZED\s+VIEW\b/i.test(s)) return [materializedView(s, schema)];
  if (/^CREATE\s+(OR\s+REPLACE\s+)?VIEW\b/i.test(s)) return [onClusterAfterName(s, /^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, schema.cluster)];
  if (/^ALTER\s+TABLE\b/i.test(s)) return alterTable(s, schema);
  if (/^DROP\s+(TABLE|VIEW)\b/i.test(s)) return dropTable(s, schema);
  // Data statements go through the Distributed (or replicated) tables as they are.
  if (/^INSERT\s+INTO\b/i.test(s)) return [s];
  throw unsupported(s, 'a statement kind the cluster form does not know (CREATE TABLE/VIEW/MATERIALIZED VIEW, ALTER TABLE, DROP, INSERT)');
}

function createTable(s: string, { cluster }: ClusterSchema): string[] {
  const m = new RegExp(String.raw`^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?${QNAME}\s*(\(.*\))\s*ENGINE\s*=\s*(\w+)\(([^)]*)\)\s*(.*)$`, 'is').exec(s);
  if (!m) throw unsupported(s, 'CREATE TABLE [IF NOT EXISTS] db.name (columns) ENGINE = <MergeTree family>(...) ...');
  const [, ifNotExists = '', qualifier = '', name = '', columns = '', engine = '', engineArgs = '', tail = ''] = m;
  if (!MERGE_TREES.has(engine)) throw unsupported(s, `a MergeTree-family engine, not ${engine}`);
  const db = qualifier.replace(/\.$/, '');
  const clauses = tableClauses(tail);
  const settings = replicatedSettings(clauses.settings);
  const args = engineArgs.trim();
  const isSharded = !REFERENCE_TABLES.has(name);
  const local = isSharded ? `${name}${LOCAL_SUFFIX}` : name;
  // One Keeper path per shard for a sharded table; one for the whole cluster for a reference table.
  const path = `/clickhouse/tables/${isSharded ? '{shard}' : 'all'}/${db || '{database}'}/${local}`;
  const replicated = [
    `CREATE TABLE ${ifNotExists}${qualifier}${local} ON CLUSTER ${cluster}`,
    columns,
    `ENGINE = Replicated${engine}('${path}', '{replica}'${args ? `, ${args}` : ''})`,
    ...clauses.rest,
    `SETTINGS ${settings.join(', ')}`,
  ].join('\n');
  if (!isSharded) return [replicated];
  const orderBy = clauses.orderBy;
  if (orderBy === undefined) throw unsupported(s, 'an ORDER BY (the sharding key is its hash)');
  const key = orderBy.replace(/^\((.*)\)$/s, '$1').trim();
  const distributed = [
    `CREATE TABLE ${ifNotExists}${qualifier}${name} ON CLUSTER ${cluster} AS ${qualifier}${local}`,
    `ENGINE = Distributed(${cluster}, ${db || 'currentDatabase()'}, ${local}, cityHash64(${key}))`,
  ].join('\n');
  return [replicated, distributed];
}

interface Clauses {
  orderBy?: string;
  /** PARTITION BY / ORDER BY / PRIMARY KEY / ... in their order, SETTINGS excluded. */
  rest: string[];
  settings: string[];
}

function tableClauses(tail: string): Clauses {
  const parts = tail.split(/\b(?=PARTITION\s+BY|ORDER\s+BY|PRIMARY\s+KEY|SAMPLE\s+BY|TTL|SETTINGS)\b/i).map((p) => p.trim()).filter((p) => p.length > 0);
  const out: Clauses = { rest: [], settings: [] };
  for (const p of parts) {
    if (/^SETTINGS\b/i.test(p)) {
      out.settings.push(...p.replace(/^SETTINGS\s+/i, '').split(',').map((x) => x.trim()).filter((x) => x.length > 0));
    } else {
      if (/^ORDER\s+BY\b/i.test(p)) out.orderBy = p.replace(/^ORDER\s+BY\s+/i, '').trim();
      out.rest.push(p);
    }
  }
  return out;
}

/** The single-node dedup window becomes Keeper's, with a time window long enough for redeliveries. */
function replicatedSettings(settings: string[]): string[] {
  const out = settings.map((x) => x.replace(/^non_replicated_deduplication_window\b/, 'replicated_deduplication_window'));
  if (!out.some((x) => x.startsWith('replicated_deduplication_window_seconds'))) out.push(`replicated_deduplication_window_seconds = ${DEDUP_WINDOW_SECONDS}`);
  return out;
}

function materializedView(s: string, { cluster, sharded }: ClusterSchema): string {
  const withCluster = onClusterAfterName(s, /^CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, cluster);
  // The trigger is the local table of the source: each shard's inserts feed the view there.
  const from = new RegExp(String.raw`\bFROM\s+${QNAME}`, 'i');
  return withCluster.replace(from, (all: string, q: string | undefined, name: string) => (sharded.has(name) ? `FROM ${q ?? ''}${name}${LOCAL_SUFFIX}` : all));
}

function alterTable(s: string, { cluster, sharded }: ClusterSchema): string[] {
  const m = new RegExp(String.raw`^ALTER\s+TABLE\s+${QNAME}\s+(.*)$`, 'is').exec(s);
  if (!m) throw unsupported(s, 'ALTER TABLE db.name <changes>');
  const [, qualifier = '', name = '', changes = ''] = m;
  const body = changes.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
  if (!sharded.has(name)) return [`ALTER TABLE ${qualifier}${name} ON CLUSTER ${cluster} ${body}`];
  const local = `ALTER TABLE ${qualifier}${name}${LOCAL_SUFFIX} ON CLUSTER ${cluster} ${body}`;
  // Columns live in both tables; data changes (UPDATE, DELETE, settings, TTL) in the local one only.
  return COLUMN_ALTER.test(body.trim()) ? [local, `ALTER TABLE ${qualifier}${name} ON CLUSTER ${cluster} ${body}`] : [local];
}

function dropTable(s: string, { cluster, sharded }: ClusterSchema): string[] {
  const m = new RegExp(String.raw`^DROP\s+(TABLE|VIEW)\s+(IF\s+EXISTS\s+)?${QNAME}\s*(.*)$`, 'is').exec(s);
  if (!m) throw unsupported(s, 'DROP TABLE|VIEW [IF EXISTS] db.name');
  const [, kind = '', ifExists = '', qualifier = '', name = '', rest = ''] = m;
  const drop = (n: string) => `DROP ${kind.toUpperCase()} ${ifExists}${qualifier}${n} ON CLUSTER ${cluster}${rest ? ` ${rest}` : ''}`;
  return sharded.has(name) && kind.toUpperCase() === 'TABLE' ? [drop(name), drop(`${name}${LOCAL_SUFFIX}`)] : [drop(name)];
}

/** Inserts `ON CLUSTER c` right after the object name that follows `head`. */
function onClusterAfterName(s: string, head: RegExp, cluster: string): string {
  const h = head.exec(s);
  const name = h ? new RegExp(`^${QNAME}`).exec(s.slice(h[0].length)) : null;
  if (!h || !name) throw unsupported(s, 'CREATE ... db.name');
  const at = h[0].length + name[0].length;
  return `${s.slice(0, at)} ON CLUSTER ${cluster}${s.slice(at)}`;
}

function unsupported(statement: string, expected: string): InfraError {
  const head = statement.slice(0, 80).replace(/\s+/g, ' ');
  return new InfraError(`cannot make the cluster form of "${head}...": expected ${expected}`, 'CLUSTER_DDL', {}, { retriable: false });
}
