// Guards for `chiso query`: one SELECT or WITH statement, nothing else. ClickHouse's readonly=1
// setting enforces it again on the server side; this check gives the operator a clear message first.
export type SqlCheck = { ok: true; sql: string } | { ok: false; reason: string };

/** Strips comments and string literals so that keywords and ';' inside them do not count. */
function skeleton(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.|'')*'/g, "''")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/`(?:[^`\\]|\\.)*`/g, '``')
    .replace(/--[^\n]*|#[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
}

export function checkReadOnlySql(input: string): SqlCheck {
  const sql = input.trim().replace(/;\s*$/, '');
  if (sql.length === 0) return { ok: false, reason: 'empty query: give one SELECT or WITH statement' };
  const bare = skeleton(sql).trim();
  if (bare.includes(';')) return { ok: false, reason: 'only one statement is allowed (found ";" inside the query)' };
  const first = /^\(*\s*([A-Za-z]+)/.exec(bare)?.[1]?.toUpperCase();
  if (first !== 'SELECT' && first !== 'WITH') return { ok: false, reason: `only SELECT or WITH queries are allowed (this one starts with ${first ?? 'something else'})` };
  if (/\bINTO\s+OUTFILE\b/i.test(bare)) return { ok: false, reason: 'INTO OUTFILE is not allowed: use --format and redirect the output' };
  if (/\bFORMAT\s+[A-Za-z]+\s*$/i.test(bare)) return { ok: false, reason: 'FORMAT clauses are not allowed: use --format' };
  if (/\bSETTINGS\b/i.test(bare)) return { ok: false, reason: 'SETTINGS clauses are not allowed in read-only queries' };
  return { ok: true, sql };
}
