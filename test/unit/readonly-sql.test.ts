// The pure parts of the SQL endpoint's checks (services/ioc-api/readonly-sql/): reading the canonical
// text, EXPLAIN AST's tree, the table and function rules on a tree, the concurrency counter, the
// SETTINGS clause and the row counts. ClickHouse's own parse is tested in
// test/integration/sql-query.test.ts.
import { describe, expect, it } from 'vitest';
import { parseExplainAst, walk } from '../../services/ioc-api/readonly-sql/ast.ts';
import { sqlHash } from '../../services/ioc-api/readonly-sql/audit.ts';
import { readCanonical } from '../../services/ioc-api/readonly-sql/canonical.ts';
import { FunctionCatalog, type FunctionRow } from '../../services/ioc-api/readonly-sql/functions.ts';
import { InFlight } from '../../services/ioc-api/readonly-sql/in-flight.ts';
import { DEFAULT_LIMITS, settingsClause } from '../../services/ioc-api/readonly-sql/limits.ts';
import { checkAst } from '../../services/ioc-api/readonly-sql/policy.ts';
import { countRows } from '../../services/ioc-api/readonly-sql/run.ts';
import { tableVerdict } from '../../services/ioc-api/readonly-sql/tables.ts';

const fn = (name: string, extra: Partial<FunctionRow> = {}): FunctionRow => ({ name, is_aggregate: 0, case_insensitive: 0, alias_to: '', origin: 'System', categories: 'Other', ...extra });
const CATALOG = new FunctionCatalog([
  fn('count', { is_aggregate: 1, case_insensitive: 1, categories: 'Aggregate Functions' }),
  fn('sum', { is_aggregate: 1, case_insensitive: 1, categories: 'Aggregate Functions' }),
  fn('lower', { case_insensitive: 1, categories: 'String' }),
  fn('lcase', { alias_to: 'lower', categories: '' }),
  fn('equals', { categories: 'Comparison' }),
  fn('in', { categories: 'Other' }),
  fn('tuple', { categories: 'Tuple' }),
  fn('file'),
  fn('hostName'),
  fn('hostname', { alias_to: 'hostName', case_insensitive: 1, categories: '' }),
  fn('dictGet', { categories: 'Dictionary' }),
  fn('aiGenerate', { categories: 'AI' }),
  fn('AIGenerate', { alias_to: 'aiGenerate', categories: '' }),
  fn('__getScalar', { categories: 'Internal' }),
  fn('caseWithExpression', { categories: 'Internal' }),
  fn('myUdf', { origin: 'SQLUserDefined', categories: '' }),
]);

/** EXPLAIN AST lines of `SELECT * FROM (<inner>)`, inner given at depth 6. */
const wrap = (inner: string) =>
  [
    'SelectWithUnionQuery (children 1)',
    ' ExpressionList (children 1)',
    '  SelectQuery (children 2)',
    '   ExpressionList (children 1)',
    '    Asterisk',
    '   TablesInSelectQuery (children 1)',
    '    TablesInSelectQueryElement (children 1)',
    '     TableExpression (children 1)',
    '      Subquery (children 1)',
    ...inner.split('\n').map((l) => `       ${l}`),
  ].join('\n');

const selectFrom = (table: string, expr = 'Literal UInt64_1') =>
  wrap(
    [
      'SelectWithUnionQuery (children 1)',
      ' ExpressionList (children 1)',
      '  SelectQuery (children 2)',
      '   ExpressionList (children 1)',
      ...expr.split('\n').map((l) => `    ${l}`),
      '   TablesInSelectQuery (children 1)',
      '    TablesInSelectQueryElement (children 1)',
      '     TableExpression (children 1)',
      `      ${table}`,
    ].join('\n'),
  );

const check = (text: string, cte: string[] = []) => {
  const ast = parseExplainAst(text);
  if (!ast.ok) return ast;
  return checkAst(ast.root, { db: 'chiso', cteNames: new Set(cte), functions: CATALOG });
};

describe('the canonical text', () => {
  it('finds quoted names, WITH names, the first keyword and top-level clauses, ignoring strings', () => {
    expect(readCanonical("WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b WHERE x = 'WITH c AS ('").cteNames).toEqual(new Set(['a', 'b']));
    expect(readCanonical('SELECT `a b` FROM t').quoted).toBe('`a b`');
    expect(readCanonical('SELECT "x y" FROM t').quoted).toBe('"x y"');
    // ClickHouse quotes some plain names (keywords used as names): those are names like any other.
    expect(readCanonical('WITH `x` AS (SELECT 1) SELECT `offset`, "partition" FROM x')).toMatchObject({ cteNames: new Set(['x']) });
    expect(readCanonical('SELECT `offset` FROM x').quoted).toBeUndefined();
    expect(readCanonical("SELECT '`not a name`' AS s").quoted).toBeUndefined();
    expect(readCanonical("SELECT 'it\\'s `x`' AS s").quoted).toBeUndefined();
    expect(readCanonical('INSERT INTO t FORMAT Values').firstWord).toBe('INSERT');
    expect(readCanonical("SELECT 1 INTO OUTFILE 'x' FORMAT CSV").topClauses).toEqual(['INTO OUTFILE', 'FORMAT']);
    expect(readCanonical("SELECT formatReadableSize(1), 'FORMAT' FROM (SELECT 1 SETTINGS a = 1)").topClauses).toEqual([]);
  });
});

describe('EXPLAIN AST as a tree', () => {
  it('reads nodes, names, aliases and nesting', () => {
    const ast = parseExplainAst(selectFrom('TableIdentifier chiso.units (alias u)', 'Function sumIf (alias s) (children 1)\n ExpressionList (children 2)\n  Identifier x\n  Literal \'a (alias b)\''));
    expect(ast.ok).toBe(true);
    if (!ast.ok) return;
    const nodes = [...walk(ast.root)];
    expect(nodes.find((n) => n.type === 'TableIdentifier')).toMatchObject({ name: 'chiso.units', alias: 'u' });
    expect(nodes.find((n) => n.type === 'Function')).toMatchObject({ name: 'sumIf', alias: 's' });
    expect(nodes.find((n) => n.type === 'Literal')).toMatchObject({ name: "'a (alias b)'" });
    expect(nodes.find((n) => n.type === 'Identifier')?.parent?.parent?.name).toBe('sumIf');
  });

  it('refuses two roots and broken indentation', () => {
    expect(parseExplainAst('SelectWithUnionQuery\nSelectWithUnionQuery')).toEqual({ ok: false, reason: 'more than one statement' });
    expect(parseExplainAst('SelectWithUnionQuery\n   Literal 1').ok).toBe(false);
    expect(parseExplainAst('').ok).toBe(false);
  });
});

describe('the rule on the tree', () => {
  it('lets allowed tables, WITH names and allowed functions through', () => {
    expect(check(selectFrom('TableIdentifier chiso.v_scorecard'))).toEqual({ ok: true });
    expect(check(selectFrom('TableIdentifier xa'), ['xa'])).toEqual({ ok: true });
    expect(check(selectFrom('TableIdentifier system.one', 'Function COUNT (children 1)\n ExpressionList'))).toEqual({ ok: true });
    expect(check(selectFrom('TableIdentifier chiso.units', 'Function sumIf (children 1)\n ExpressionList (children 1)\n  Function lcase (children 1)\n   ExpressionList'))).toEqual({ ok: true });
    expect(check(selectFrom('TableIdentifier chiso.units', 'Function caseWithExpression (children 1)\n ExpressionList'))).toEqual({ ok: true });
    expect(check(selectFrom('TableIdentifier chiso.units', 'Function lambda (children 1)\n ExpressionList'))).toEqual({ ok: true });
  });

  it.each([
    ['another database', selectFrom('TableIdentifier system.tables'), /system\.tables is not readable/],
    ['a table left out', selectFrom('TableIdentifier chiso.rejects'), /chiso\.rejects is not readable/],
    ['raw_events', selectFrom('TableIdentifier chiso.raw_events'), /raw_events is not readable/],
    ['another chiso database', selectFrom('TableIdentifier other.units'), /not readable/],
    ['a bare name that is no WITH name', selectFrom('TableIdentifier units'), /with their database/],
    ['a table function', selectFrom('Function numbers (children 1)\n ExpressionList (children 1)\n  Literal UInt64_10'), /table function numbers/],
    ['a scalar outward function', selectFrom('TableIdentifier chiso.units', "Function file (children 1)\n ExpressionList (children 1)\n  Literal '/etc/hostname'"), /function file is not allowed/],
    ['an alias of one', selectFrom('TableIdentifier chiso.units', 'Function hostname (children 1)\n ExpressionList'), /function hostname is not allowed/],
    ['a case-insensitive spelling of one', selectFrom('TableIdentifier chiso.units', 'Function HOSTNAME (children 1)\n ExpressionList'), /function HOSTNAME is not allowed/],
    ['a dictionary', selectFrom('TableIdentifier chiso.units', 'Function dictGet (children 1)\n ExpressionList'), /Dictionary functions/],
    ['an LLM call through an alias', selectFrom('TableIdentifier chiso.units', 'Function AIGenerate (children 1)\n ExpressionList'), /AI functions/],
    ['an internal function', selectFrom('TableIdentifier chiso.units', 'Function __getScalar (children 1)\n ExpressionList'), /Internal functions/],
    ['a user-defined function', selectFrom('TableIdentifier chiso.units', 'Function myUdf (children 1)\n ExpressionList'), /built-in/],
    ['an unknown function', selectFrom('TableIdentifier chiso.units', 'Function nope (children 1)\n ExpressionList'), /not known/],
    ['a combinator over a non-aggregate', selectFrom('TableIdentifier chiso.units', 'Function fileIf (children 1)\n ExpressionList'), /not known/],
    ['SETTINGS', selectFrom('TableIdentifier chiso.units') + '\n         Set', /SETTINGS/],
    ['APPLY', selectFrom('TableIdentifier chiso.units', 'Asterisk (children 1)\n ColumnsTransformerList (children 1)\n  ColumnsApplyTransformer'), /APPLY/],
    ['an unknown node', selectFrom('TableIdentifier chiso.units', 'Explain'), /Explain is not allowed/],
    [
      'a table on the right of IN',
      selectFrom('TableIdentifier chiso.units', 'Function in (children 1)\n ExpressionList (children 2)\n  Identifier code\n  Identifier chiso.rejects'),
      /chiso\.rejects is not readable/,
    ],
  ])('refuses %s', (_what, text, why) => {
    const v = check(text);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(why);
  });

  it('refuses a root that is not a SELECT', () => {
    expect(check('InsertQuery')).toMatchObject({ ok: false, reason: 'only one SELECT statement is allowed' });
  });

  it('names tables one way', () => {
    expect(tableVerdict('chiso.units', 'chiso', new Set())).toEqual({ ok: true });
    expect(tableVerdict('chiso.units.x', 'chiso', new Set()).ok).toBe(false);
    expect(tableVerdict('units', 'chiso', new Set(['units']))).toEqual({ ok: true });
  });
});

describe('limits, concurrency, audit', () => {
  it('lets a key hold at most its limit', () => {
    const f = new InFlight(2);
    expect([f.enter('a'), f.enter('a'), f.enter('a'), f.enter('b')]).toEqual([true, true, false, true]);
    f.leave('a');
    expect(f.enter('a')).toBe(true);
    expect(f.enter('a')).toBe(false);
  });

  it('writes the limits as SETTINGS, readonly on chDB, max_execution_time at most 30', () => {
    const chdb = settingsClause({ ...DEFAULT_LIMITS, maxExecutionTime: 600 }, 'chdb');
    expect(chdb).toMatch(/^readonly = 1, max_execution_time = 30, /);
    expect(chdb).toContain("result_overflow_mode = 'throw'");
    expect(chdb).toContain(`max_result_bytes = ${DEFAULT_LIMITS.maxResultBytes}`);
    expect(chdb).toContain(`max_memory_usage = ${DEFAULT_LIMITS.maxMemoryUsage}`);
    expect(settingsClause({ ...DEFAULT_LIMITS, maxExecutionTime: 5 }, 'server')).toMatch(/^max_execution_time = 5, /);
  });

  it('counts rows where the format makes it certain', () => {
    expect(countRows('JSONEachRow', '{"a":1}\n{"a":2}\n')).toBe(2);
    expect(countRows('TabSeparatedWithNames', 'a\n1\n2\n')).toBe(2);
    expect(countRows('JSON', '{"meta":[],"data":[],"rows":7}')).toBe(7);
    expect(countRows('PrettyCompactMonoBlock', 'x')).toBeNull();
  });

  it('hashes the SQL, never keeps it', () => {
    expect(sqlHash('SELECT 1')).toMatch(/^[0-9a-f]{64}$/);
    expect(sqlHash('SELECT 1')).not.toBe(sqlHash('SELECT 2'));
  });
});
