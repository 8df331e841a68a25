// Reading the canonical text that ClickHouse's formatQuerySingleLine() prints: comments are gone,
// heredocs and escapes are rewritten as '...' strings with backslash escapes, and only names that
// need it are quoted. What this lexer takes from it cannot widen what the AST check allows:
// - a quoted name that is not a plain word (`a b`, `x\n y`) is refused, so that every name in EXPLAIN
//   AST's output is a plain word and its lines cannot be forged (ClickHouse quotes some plain names
//   too, such as keywords used as names: those pass);
// - the names of WITH subqueries (EXPLAIN AST does not print them), which only let a bare table name
//   through (a bare name that is not a WITH name would resolve outside chiso's database: tables.ts);
// - the first keyword and a top-level FORMAT / INTO OUTFILE, only to word the refusal.

export interface Canonical {
  /** A quoted identifier that is not a plain word (`a b`, "x y"), or undefined. */
  quoted?: string;
  /** Names defined by `name AS (` after WITH or a comma. */
  cteNames: Set<string>;
  /** The first keyword, upper-case (SELECT, WITH, INSERT ...). */
  firstWord: string;
  /** FORMAT / INTO OUTFILE / SETTINGS seen outside parentheses. */
  topClauses: string[];
}

type Token = { kind: 'word' | 'name' | 'string' | 'quoted' | 'punct' | 'number'; text: string; depth: number };

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function tokens(text: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '`' || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, j + 1);
      const inner = raw.slice(1, -1);
      // A quoted plain word is a name like any other (never a keyword).
      out.push(c === "'" ? { kind: 'string', text: raw, depth } : PLAIN.test(inner) ? { kind: 'name', text: inner, depth } : { kind: 'quoted', text: raw, depth });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 256));
    if (word) {
      out.push({ kind: 'word', text: word[0], depth });
      i += word[0].length;
      continue;
    }
    const num = /^[0-9][0-9A-Za-z_.]*/.exec(text.slice(i, i + 256));
    if (num) {
      out.push({ kind: 'number', text: num[0], depth });
      i += num[0].length;
      continue;
    }
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth--;
    out.push({ kind: 'punct', text: c, depth });
    i++;
  }
  return out;
}

export function readCanonical(text: string): Canonical {
  const toks = tokens(text);
  const quoted = toks.find((t) => t.kind === 'quoted')?.text;
  const cteNames = new Set<string>();
  const topClauses: string[] = [];
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (!t) continue;
    const prev = toks[k - 1];
    const next = toks[k + 1];
    const after = toks[k + 2];
    const isName = t.kind === 'word' || t.kind === 'name';
    if (isName && prev && (prev.kind === 'word' && prev.text.toUpperCase() === 'WITH' || prev.text === ',') && next?.kind === 'word' && next.text.toUpperCase() === 'AS' && after?.text === '(') cteNames.add(t.text);
    if (t.kind === 'word' && t.depth === 0) {
      const w = t.text.toUpperCase();
      if (w === 'FORMAT' || w === 'SETTINGS') topClauses.push(w);
      if (w === 'INTO' && next?.text.toUpperCase() === 'OUTFILE') topClauses.push('INTO OUTFILE');
    }
  }
  const first = toks.find((t) => t.kind === 'word')?.text.toUpperCase() ?? '';
  return { ...(quoted !== undefined ? { quoted } : {}), cteNames, firstWord: first, topClauses };
}
