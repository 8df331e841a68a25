// Which functions a query may call. The catalogue is ClickHouse's own (system.functions, built-in
// only): a function it does not know, a user-defined one, or an aggregate combinator over something
// that is not an aggregate is refused. Of the built-ins, those that reach outside the store or the
// query (files, network, dictionaries, other tables by name, server settings and identity, model
// files, LLM calls, sleeping on the store) are refused by name and by category. Table functions
// (file(), url(), s3(), numbers() ...) are refused by the AST check wherever they stand.

export interface FunctionRow {
  name: string;
  is_aggregate: number;
  case_insensitive: number;
  alias_to: string;
  origin: string;
  categories: string;
}

/** Refused by name (the base name, after alias resolution). */
export const DENIED_FUNCTIONS: ReadonlySet<string> = new Set([
  // Files, network and other servers.
  'file', 'url', 's3', 's3Cluster', 'remote', 'remoteSecure', 'mysql', 'postgresql', 'jdbc', 'odbc', 'hdfs', 'executable', 'input',
  'azureBlobStorage', 'filesystemAvailable', 'filesystemCapacity', 'filesystemUnreserved', 'catboostEvaluate', 'showCertificate',
  // Other tables or shared state by name, bypassing the table allow-list.
  'joinGet', 'joinGetOrNull', 'hasColumnInTable', 'generateSerialID', 'globalVariable', 'getMaxTableNameLengthForDatabase',
  // Server configuration, identity and environment.
  'getSetting', 'getSettingOrDefault', 'getServerSetting', 'getMergeTreeSetting', 'getMacro', 'getServerPort', 'getClientHTTPHeader', 'getOSKernelVersion',
  'hostName', 'FQDN', 'tcpPort', 'serverUUID', 'buildId', 'revision', 'uptime', 'zookeeperSessionUptime', 'shardNum', 'shardCount',
  'currentUser', 'authenticatedUser', 'currentRoles', 'enabledRoles', 'defaultRoles', 'currentProfiles', 'enabledProfiles', 'defaultProfiles',
  'transactionID', 'transactionLatestSnapshot', 'transactionOldestSnapshot', 'hasThreadFuzzer',
  // Holding the store without work.
  'sleep', 'sleepEachRow',
]);

/** Refused by category (system.functions.categories). */
export const DENIED_CATEGORIES: ReadonlySet<string> = new Set(['AI', 'Dictionary', 'Embedded Dictionary', 'Introspection', 'Machine Learning', 'Internal']);

/** Internal functions that the parser itself writes for ordinary syntax (CASE x WHEN ..., x::T). */
const PARSER_INTERNALS: ReadonlySet<string> = new Set(['caseWithExpression', '_CAST']);

/** Written by the parser, not in system.functions: `x -> expr`, `EXISTS (subquery)`, GROUPING(...). */
const PARSER_ONLY: ReadonlySet<string> = new Set(['lambda', 'exists', 'grouping']);

const COMBINATORS = ['MergeState', 'SimpleState', 'OrDefault', 'Resample', 'Distinct', 'ForEach', 'OrNull', 'ArgMin', 'ArgMax', 'State', 'Merge', 'Array', 'Map', 'Null', 'If'];

export type FunctionVerdict = { ok: true } | { ok: false; reason: string };

export class FunctionCatalog {
  private readonly exact = new Map<string, FunctionRow>();
  private readonly folded = new Map<string, FunctionRow>();

  constructor(rows: readonly FunctionRow[]) {
    for (const r of rows) {
      this.exact.set(r.name, r);
      if (Number(r.case_insensitive) === 1) this.folded.set(r.name.toLowerCase(), r);
    }
  }

  private find(name: string): FunctionRow | undefined {
    return this.exact.get(name) ?? this.folded.get(name.toLowerCase());
  }

  /** The row behind an alias (alias_to), or the row itself. */
  private base(row: FunctionRow): FunctionRow {
    return row.alias_to ? (this.find(row.alias_to) ?? row) : row;
  }

  verdict(name: string): FunctionVerdict {
    if (PARSER_ONLY.has(name)) return { ok: true };
    const row = this.find(name);
    if (row) return this.allowedRow(name, this.base(row));
    // An aggregate with combinators: sumIf, countDistinctState, uniqMerge ...
    let rest = name;
    for (let guard = 0; guard < 8; guard++) {
      const suffix = COMBINATORS.find((c) => rest.endsWith(c) && rest.length > c.length);
      if (!suffix) break;
      rest = rest.slice(0, -suffix.length);
      const agg = this.find(rest);
      if (agg) {
        const b = this.base(agg);
        if (Number(b.is_aggregate) !== 1) return { ok: false, reason: `function ${name} is not known to ClickHouse` };
        return this.allowedRow(name, b);
      }
    }
    return { ok: false, reason: `function ${name} is not known to ClickHouse (or not a built-in function)` };
  }

  private allowedRow(asked: string, b: FunctionRow): FunctionVerdict {
    const refuse = (why: string): FunctionVerdict => ({ ok: false, reason: `function ${asked} is not allowed: ${why}` });
    if (b.origin !== 'System') return refuse('only built-in functions may be called');
    if (DENIED_FUNCTIONS.has(b.name) || DENIED_FUNCTIONS.has(asked)) return refuse('it reaches outside the store or the query (files, network, settings, other tables)');
    if (PARSER_INTERNALS.has(b.name)) return { ok: true };
    const cats = b.categories.split(',').map((c) => c.trim());
    const denied = cats.find((c) => DENIED_CATEGORIES.has(c));
    if (denied) return refuse(`${denied} functions are not allowed here`);
    return { ok: true };
  }
}

/** The query that reads the catalogue (system.functions) from the store. */
export const FUNCTIONS_SQL = 'SELECT name, is_aggregate, case_insensitive, alias_to, toString(origin) AS origin, categories FROM system.functions';
