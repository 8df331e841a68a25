// ClickHouse reads the query itself: formatQuerySingleLine({q:String}) parses it with the server's
// own grammar (one statement only: a second one, however hidden, is a syntax error) and prints it
// back canonically, comments gone. That canonical text, wrapped as `SELECT * FROM (<text>)`, is then
// explained (EXPLAIN AST parses, never runs) and checked node by node (policy.ts). The wrapper is
// what runs later (run.ts): FORMAT and INTO OUTFILE cannot stand inside it, and whatever else the
// text holds has been seen in its AST.
import type { ClickHouseClient } from '@clickhouse/client';
import { parseExplainAst } from './ast.ts';
import { readCanonical } from './canonical.ts';
import type { FunctionCatalog } from './functions.ts';
import { checkAst } from './policy.ts';
import { errorMessage } from '../../../lib/errors.ts';

export type ReadQuery = { ok: true; wrapped: string } | { ok: false; reason: string };

/** ClickHouse's message without its stack and without the echo of our own wrapper query. */
export function clickhouseReason(e: unknown): string {
  const m = errorMessage(e);
  return m.replace(/^Code: \d+\. DB::Exception: /, '').replace(/: In scope SELECT formatQuery[\s\S]*$/, '').replace(/\s*\(version [\d.]+.*\)$/s, '').slice(0, 1000);
}

export async function readQuery(client: ClickHouseClient, sql: string, ctx: { db: string; functions: FunctionCatalog }): Promise<ReadQuery> {
  let canonical: string;
  try {
    const rs = await client.query({ query: 'SELECT formatQuerySingleLine({q:String}) AS q', query_params: { q: sql }, format: 'JSONEachRow' });
    const [row] = await rs.json<{ q: string }>();
    canonical = (row?.q ?? '').trim();
  } catch (e) {
    return { ok: false, reason: `ClickHouse cannot read this as one statement: ${clickhouseReason(e)}` };
  }
  if (canonical === '') return { ok: false, reason: 'empty query: give one SELECT (or WITH ... SELECT)' };
  const text = readCanonical(canonical);
  if (text.firstWord !== 'SELECT' && text.firstWord !== 'WITH') return { ok: false, reason: `only one SELECT (or WITH ... SELECT) is allowed; this is ${text.firstWord || 'not a query'}` };
  if (text.quoted !== undefined) return { ok: false, reason: `quoted names such as ${text.quoted.slice(0, 60)} are not allowed: use plain names (letters, digits, _)` };
  const wrapped = `SELECT * FROM (${canonical})`;
  let explained: string;
  try {
    // As a subquery, so that the client's own FORMAT clause applies to the explanation, not inside it.
    const rs = await client.query({ query: `SELECT explain FROM (EXPLAIN AST ${wrapped})`, format: 'JSONEachRow' });
    explained = (await rs.json<{ explain: string }>()).map((r) => r.explain).join('\n');
  } catch (e) {
    // FORMAT and INTO OUTFILE cannot stand inside the wrapper: say so rather than "syntax error".
    if (text.topClauses.includes('INTO OUTFILE')) return { ok: false, reason: 'INTO OUTFILE is not allowed: redirect the output of chiso query instead' };
    if (text.topClauses.includes('FORMAT')) return { ok: false, reason: 'FORMAT clauses are not allowed: use --format (the API\'s format field)' };
    return { ok: false, reason: `ClickHouse cannot read this as one SELECT: ${clickhouseReason(e)}` };
  }
  const ast = parseExplainAst(explained);
  if (!ast.ok) return ast;
  const verdict = checkAst(ast.root, { db: ctx.db, cteNames: text.cteNames, functions: ctx.functions });
  return verdict.ok ? { ok: true, wrapped } : verdict;
}
