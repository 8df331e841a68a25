// The rule of a read-only query, checked on ClickHouse's own parse of it (EXPLAIN AST of the
// wrapper `SELECT * FROM (<query>)`, parse.ts): every node is of a kind this list knows, no SETTINGS
// (they could undo the limits), no table function anywhere, every function allowed (functions.ts),
// every table allowed (tables.ts), including a table named on the right of IN.
import { type AstNode, walk } from './ast.ts';
import type { FunctionCatalog } from './functions.ts';
import { tableVerdict } from './tables.ts';

export type Verdict = { ok: true } | { ok: false; reason: string };

/** The node kinds of a SELECT; anything else (Set, Explain, ColumnsApplyTransformer ...) is refused. */
const NODE_KINDS: ReadonlySet<string> = new Set([
  'SelectWithUnionQuery', 'SelectIntersectExceptQuery', 'SelectQuery', 'ExpressionList', 'Subquery', 'WithElement',
  'TablesInSelectQuery', 'TablesInSelectQueryElement', 'TableExpression', 'TableIdentifier', 'TableJoin', 'ArrayJoin',
  'Identifier', 'Function', 'Literal', 'Asterisk', 'QualifiedAsterisk',
  'ColumnsRegexpMatcher', 'ColumnsListMatcher', 'QualifiedColumnsRegexpMatcher', 'QualifiedColumnsListMatcher',
  'ColumnsTransformerList', 'ColumnsExceptTransformer', 'ColumnsReplaceTransformer', 'ColumnsReplaceTransformer::Replacement',
  'OrderByElement', 'InterpolateElement', 'WindowDefinition', 'WindowListElement', 'SampleRatio',
]);

const WHY: Record<string, string> = {
  Set: 'SETTINGS clauses are not allowed: the endpoint sets its own limits',
  ColumnsApplyTransformer: 'APPLY(...) is not allowed: call the functions by name',
  QueryParameter: 'query parameters {name:Type} are not supported here: write the value',
};

const IN_FUNCTIONS = new Set(['in', 'notIn', 'globalIn', 'globalNotIn', 'nullIn', 'notNullIn', 'globalNullIn', 'globalNotNullIn']);

export interface PolicyContext {
  db: string;
  cteNames: ReadonlySet<string>;
  functions: FunctionCatalog;
}

export function checkAst(root: AstNode, ctx: PolicyContext): Verdict {
  if (root.type !== 'SelectWithUnionQuery') return { ok: false, reason: 'only one SELECT statement is allowed' };
  for (const n of walk(root)) {
    if (!NODE_KINDS.has(n.type)) return { ok: false, reason: WHY[n.type] ?? `${n.type} is not allowed in a read-only query` };
    if (n.type === 'TableIdentifier') {
      const t = tableVerdict(n.name ?? '', ctx.db, ctx.cteNames);
      if (!t.ok) return t;
    }
    if (n.type === 'Function') {
      const name = n.name ?? '';
      if (n.parent?.type === 'TableExpression') return { ok: false, reason: `table function ${name}() is not allowed: read chiso's tables by name` };
      const f = ctx.functions.verdict(name);
      if (!f.ok) return f;
      if (IN_FUNCTIONS.has(name)) {
        // `x IN db.table`: the right side is a table.
        const right = n.children[0]?.children[1];
        if (right?.type === 'Identifier') {
          const t = tableVerdict(right.name ?? '', ctx.db, ctx.cteNames);
          if (!t.ok) return t;
        }
      }
    }
  }
  return { ok: true };
}
