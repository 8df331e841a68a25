// The cluster form of every migration statement (infra/clickhouse/cluster.ts). No ClickHouse server
// can run here, so the generated DDL is checked as text: ON CLUSTER everywhere, Replicated engines
// with the {shard}/{replica} macros and the single-node table's key, version and partitioning, a
// Distributed table over each sharded one, views over the Distributed tables.
import { describe, expect, it } from 'vitest';
import { clusterSchema, DEDUP_WINDOW_SECONDS, REFERENCE_TABLES, toCluster } from '../../infra/clickhouse/cluster.ts';
import { ledgerStatements, loadMigrations, statementsFor } from '../../infra/clickhouse/migrate.ts';
import { loadConfig } from '../../schemas/config.ts';
import { InfraError } from '../../lib/errors.ts';

const CLUSTER = 'chiso_cluster';
const statements = loadMigrations().flatMap((m) => m.statements);
const schema = clusterSchema(CLUSTER, statements);

const createTable = /^CREATE TABLE IF NOT EXISTS \{db\}\.(\w+)\s*(\(.*\))\s*ENGINE = (\w+)\(([^)]*)\)\s*(.*)$/s;

/** The clause of a table's tail (PARTITION BY / ORDER BY / SETTINGS), up to the next clause. */
function clause(tail: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\s+(.*?)\\s*(?=PARTITION BY|ORDER BY|SETTINGS|$)`, 's').exec(tail);
  return m?.[1];
}

describe('cluster form of the migrations', () => {
  it('covers every statement of every migration', () => {
    expect(statements.length).toBeGreaterThan(20);
    for (const s of statements) expect(toCluster(s, schema).length, s.slice(0, 60)).toBeGreaterThan(0);
  });

  it('splits each fact table into a replicated local table and a Distributed table with the same key', () => {
    const tables = statements.filter((s) => s.startsWith('CREATE TABLE'));
    expect(tables.length).toBeGreaterThanOrEqual(17);
    let sharded = 0;
    for (const s of tables) {
      const [, name = '', columns = '', engine = '', args = '', tail = ''] = createTable.exec(s) ?? [];
      expect(name, s.slice(0, 60)).not.toBe('');
      const out = toCluster(s, schema);
      const reference = REFERENCE_TABLES.has(name);
      expect(out).toHaveLength(reference ? 1 : 2);
      const local = reference ? name : `${name}_local`;
      const [replicated = '', distributed = ''] = out;

      // The replicated table: same columns, Replicated engine with macros, same version column and clauses.
      expect(replicated.startsWith(`CREATE TABLE IF NOT EXISTS {db}.${local} ON CLUSTER ${CLUSTER}\n`)).toBe(true);
      expect(replicated).toContain(columns);
      const path = `/clickhouse/tables/${reference ? 'all' : '{shard}'}/{db}/${local}`;
      expect(replicated).toContain(`ENGINE = Replicated${engine}('${path}', '{replica}'${args ? `, ${args}` : ''})`);
      const [, , , rEngine = '', , rTail = ''] = createTable.exec(replicated.replace(` ON CLUSTER ${CLUSTER}`, '').replace(local, name)) ?? [];
      expect(rEngine).toBe(`Replicated${engine}`);
      expect(clause(tail, 'ORDER BY')).toBeTruthy();
      expect(clause(rTail, 'ORDER BY')).toBe(clause(tail, 'ORDER BY'));
      expect(clause(rTail, 'PARTITION BY')).toBe(clause(tail, 'PARTITION BY'));

      // Deduplication: the single-node window becomes Keeper's, with a time window.
      const window = /non_replicated_deduplication_window = (\d+)/.exec(s)?.[1];
      if (window) expect(replicated).toMatch(new RegExp(`\\breplicated_deduplication_window = ${window}\\b`));
      expect(replicated).not.toContain('non_replicated_deduplication_window');
      expect(replicated).toContain(`replicated_deduplication_window_seconds = ${DEDUP_WINDOW_SECONDS}`);

      if (reference) continue;
      sharded++;
      // The Distributed table: the name the services and views use, over the local one, sharded by the key.
      const key = (clause(tail, 'ORDER BY') ?? '').replace(/^\((.*)\)$/s, '$1');
      expect(distributed).toBe(
        `CREATE TABLE IF NOT EXISTS {db}.${name} ON CLUSTER ${CLUSTER} AS {db}.${local}\nENGINE = Distributed(${CLUSTER}, {db}, ${local}, cityHash64(${key}))`,
      );
    }
    expect(sharded).toBeGreaterThanOrEqual(10);
    expect([...schema.sharded].sort()).toContain('raw_events');
    expect(schema.sharded.has('units')).toBe(false);
  });

  it('creates the views ON CLUSTER over the Distributed tables, their query unchanged', () => {
    const views = statements.filter((s) => /^CREATE (OR REPLACE )?VIEW/.test(s));
    expect(views.length).toBeGreaterThanOrEqual(4);
    for (const s of views) {
      const [out = '', ...more] = toCluster(s, schema);
      expect(more).toHaveLength(0);
      const name = /VIEW (?:IF NOT EXISTS )?\{db\}\.(\w+)/.exec(s)?.[1] ?? '';
      expect(out).toMatch(new RegExp(`VIEW (IF NOT EXISTS )?\\{db\\}\\.${name} ON CLUSTER ${CLUSTER} AS\\n`));
      expect(out.slice(out.indexOf(' AS\n'))).toBe(s.slice(s.indexOf(' AS\n')));
      expect(out).not.toContain('_local');
    }
    const scorecard = toCluster(views.find((v) => v.startsWith('CREATE OR REPLACE VIEW {db}.v_scorecard'))!, schema)[0]!;
    expect(scorecard).toContain('FROM {db}.indicator_year_values FINAL');
  });

  it('fires the materialized view on the local source and writes through the Distributed target', () => {
    const mv = statements.find((s) => s.startsWith('CREATE MATERIALIZED VIEW'))!;
    const [out = ''] = toCluster(mv, schema);
    expect(out).toContain(`{db}.mv_indicator_year_values ON CLUSTER ${CLUSTER} TO {db}.indicator_year_values AS`);
    expect(out).toContain('FROM {db}.indicator_values_local\n');
    expect(out).toContain("WHERE period = 'year'");
  });

  it('keeps data statements as they are (they go through the Distributed tables)', () => {
    const inserts = statements.filter((s) => s.startsWith('INSERT'));
    expect(inserts.length).toBeGreaterThanOrEqual(1);
    for (const s of inserts) expect(toCluster(s, schema)).toEqual([s]);
  });

  it('runs ALTERs and DROPs ON CLUSTER on the right tables', () => {
    expect(toCluster('ALTER TABLE {db}.dossiers ADD COLUMN IF NOT EXISTS district String DEFAULT \'\'', schema)).toEqual([
      `ALTER TABLE {db}.dossiers_local ON CLUSTER ${CLUSTER} ADD COLUMN IF NOT EXISTS district String DEFAULT ''`,
      `ALTER TABLE {db}.dossiers ON CLUSTER ${CLUSTER} ADD COLUMN IF NOT EXISTS district String DEFAULT ''`,
    ]);
    expect(toCluster("ALTER TABLE {db}.raw_events DELETE WHERE source = 'x'", schema)).toEqual([`ALTER TABLE {db}.raw_events_local ON CLUSTER ${CLUSTER} DELETE WHERE source = 'x'`]);
    expect(toCluster('ALTER TABLE {db}.rejects MODIFY SETTING non_replicated_deduplication_window = 5000', schema)).toEqual([
      `ALTER TABLE {db}.rejects_local ON CLUSTER ${CLUSTER} MODIFY SETTING replicated_deduplication_window = 5000`,
    ]);
    expect(toCluster('ALTER TABLE {db}.v_scorecard MODIFY SQL SECURITY DEFINER', schema)).toEqual([`ALTER TABLE {db}.v_scorecard ON CLUSTER ${CLUSTER} MODIFY SQL SECURITY DEFINER`]);
    expect(toCluster('ALTER TABLE {db}.units ADD COLUMN x UInt8', schema)).toEqual([`ALTER TABLE {db}.units ON CLUSTER ${CLUSTER} ADD COLUMN x UInt8`]);
    expect(toCluster('DROP TABLE IF EXISTS {db}.payments', schema)).toEqual([
      `DROP TABLE IF EXISTS {db}.payments ON CLUSTER ${CLUSTER}`,
      `DROP TABLE IF EXISTS {db}.payments_local ON CLUSTER ${CLUSTER}`,
    ]);
    expect(toCluster('DROP VIEW IF EXISTS {db}.v_scorecard', schema)).toEqual([`DROP VIEW IF EXISTS {db}.v_scorecard ON CLUSTER ${CLUSTER}`]);
  });

  it('refuses what it cannot translate, with a message that names it', () => {
    expect(() => toCluster('OPTIMIZE TABLE {db}.dossiers FINAL', schema)).toThrow(/cannot make the cluster form of "OPTIMIZE TABLE/);
    expect(() => toCluster('CREATE TABLE {db}.x (a UInt8) ENGINE = Memory()', schema)).toThrow(/MergeTree-family engine, not Memory/);
    expect(() => toCluster('CREATE TABLE {db}.x (a UInt8) ENGINE = Memory()', schema)).toThrow(InfraError);
    expect(() => clusterSchema('bad name; DROP', statements)).toThrow(/cluster name/);
  });

  it('is what migrate() runs when the store names a cluster, schema_migrations included', () => {
    const single = statementsFor({});
    expect(single('CREATE VIEW {db}.v AS SELECT 1')).toEqual(['CREATE VIEW {db}.v AS SELECT 1']);
    const cluster = statementsFor({ cluster: CLUSTER });
    const ledger = cluster(
      "CREATE TABLE IF NOT EXISTS chiso.schema_migrations (version UInt32, name String, checksum String, applied_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version",
    );
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toContain(`chiso.schema_migrations ON CLUSTER ${CLUSTER}`);
    expect(ledger[0]).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/chiso/schema_migrations', '{replica}', applied_at)");
    // The ledger migrate() creates, failures included: one replicated table each on every node.
    const [migrations, failures, ...rest] = ledgerStatements('chiso').map((s) => cluster(s));
    expect(rest).toEqual([]);
    expect(migrations).toEqual(ledger);
    expect(failures).toHaveLength(1);
    expect(failures?.[0]).toContain(`chiso.schema_migration_failures ON CLUSTER ${CLUSTER}`);
    expect(failures?.[0]).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/chiso/schema_migration_failures', '{replica}')");
  });

  it('takes the cluster from CLICKHOUSE_CLUSTER, for a server only', () => {
    const cfg = loadConfig({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'province_cluster' });
    expect(cfg.clickhouse.cluster).toBe('province_cluster');
    expect(loadConfig({ CLICKHOUSE_URL: 'http://ch:8123' }).clickhouse.cluster).toBeUndefined();
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: 'province_cluster' })).toThrow(/CLICKHOUSE_CLUSTER: expected CLICKHOUSE_URL too/);
    expect(() => loadConfig({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'a b' })).toThrow(/CLICKHOUSE_CLUSTER: expected a cluster name/);
  });
});
