// EXPLAIN AST's output as a tree: one node a line, one space of indent a level, e.g.
//   Function sumIf (alias s) (children 1)
// Names in it are plain words (canonical.ts refuses quoted names) and literals are escaped by
// ClickHouse, so each line is exactly one node.

export interface AstNode {
  /** SelectQuery, Function, TableIdentifier, Identifier, Literal ... */
  type: string;
  /** The function's or identifier's name; a literal's text. */
  name?: string;
  alias?: string;
  children: AstNode[];
  /** The node above, for checks that depend on where a node sits. */
  parent?: AstNode;
}

export type ParsedAst = { ok: true; root: AstNode } | { ok: false; reason: string };

const LINE = /^( *)(\S+)(?: (.*?))?(?: \(alias ([A-Za-z0-9_$]+)\))?(?: \(children \d+\))?$/;

export function parseExplainAst(text: string): ParsedAst {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const stack: AstNode[] = [];
  let root: AstNode | undefined;
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) return { ok: false, reason: `unexpected EXPLAIN AST line: ${line.slice(0, 200)}` };
    const depth = (m[1] ?? '').length;
    const node: AstNode = { type: m[2] ?? '', children: [], ...(m[3] ? { name: m[3] } : {}), ...(m[4] ? { alias: m[4] } : {}) };
    if (depth === 0) {
      if (root) return { ok: false, reason: 'more than one statement' };
      root = node;
    } else {
      const parent = stack[depth - 1];
      if (!parent || stack.length < depth) return { ok: false, reason: `unexpected EXPLAIN AST indentation: ${line.slice(0, 200)}` };
      node.parent = parent;
      parent.children.push(node);
    }
    stack.length = depth;
    stack.push(node);
  }
  return root ? { ok: true, root } : { ok: false, reason: 'empty query' };
}

export function* walk(node: AstNode): Generator<AstNode> {
  yield node;
  for (const c of node.children) yield* walk(c);
}
