// chiso's floor plan as lint rules (docs/architecture.md). Each folder is a floor, and a file imports
// only from its own floor or the floors below it:
//
//   lib  <  schemas  <  infra  <  connectors | indicators  <  workflows  <  services  <  bin
//
// connectors/ and indicators/ stand side by side: neither imports the other. test/ and bench/ may
// import any floor; no floor imports test/ or bench/. `chiso/floors` reports an upward import where
// it is written; `chiso/no-cycle` reports a file that is part of an import cycle, and a loop between
// two modules (a module is a floor's sub-folder, such as services/worker or infra/kafka).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), '..'));
/** The floors, lowest first; a floor may import its own and the ones before it, except its sides. */
export const FLOORS = ['lib', 'schemas', 'infra', 'connectors', 'indicators', 'workflows', 'services', 'bin'];
/** The plan as one line, for messages. */
export const PLAN = 'lib < schemas < infra < connectors | indicators < workflows < services < bin';
const RANK = { lib: 0, schemas: 1, infra: 2, connectors: 3, indicators: 3, workflows: 4, services: 5, bin: 6 };
const FREE = new Set(['test', 'bench']);
const CODE = /\.(ts|js|mjs)$/;

const rel = (abs) => relative(ROOT, abs).split(sep).join('/');
const floorOf = (path) => path.split('/')[0];

/** The repository path a relative specifier of `fromPath` names, or undefined for a package. */
function resolveSpec(fromPath, spec) {
  if (!spec.startsWith('.')) return undefined;
  let target = normalize(join(dirname(fromPath), spec)).split(sep).join('/');
  if (target.endsWith('.js') && !existsSync(join(ROOT, target)) && existsSync(join(ROOT, target.replace(/\.js$/, '.ts')))) target = target.replace(/\.js$/, '.ts');
  return target;
}

/** Why importing `target` from `from` breaks the plan, or undefined. */
export function floorViolation(from, target) {
  const a = floorOf(from);
  const b = floorOf(target);
  if (a === b || FREE.has(a)) return undefined;
  if (FREE.has(b)) return `${a}/ may not import ${b}/ (test and bench code stays out of what a province installs)`;
  if (!(a in RANK) || !(b in RANK)) return undefined;
  if (RANK[b] > RANK[a]) return `${a}/ may not import ${b}/: a floor imports only the floors below it (${PLAN})`;
  if (RANK[b] === RANK[a]) return `${a}/ and ${b}/ stand side by side: neither imports the other`;
  return undefined;
}

/** The relative module specifiers a file imports or re-exports (static or dynamic), comments aside. */
export function importSpecifiers(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [];
  const pattern = /\b(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])(\.[^'"]*)\1|\bimport\s*(?:\(\s*)?(['"])(\.[^'"]*)\3/g;
  for (const m of code.matchAll(pattern)) found.push(m[2] ?? m[4]);
  return found;
}

let graphCache;
/** Every relative import between the code files of the floors: Map<path, Set<path>>. */
function importGraph() {
  if (graphCache) return graphCache;
  const graph = new Map();
  const walk = (dir) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'public') walk(p);
      } else if (CODE.test(e.name) && !e.name.endsWith('.d.ts')) {
        const deps = new Set();
        for (const spec of importSpecifiers(readFileSync(join(ROOT, p), 'utf8'))) {
          const t = resolveSpec(p, spec);
          if (t && t !== p) deps.add(t);
        }
        graph.set(p, deps);
      }
    }
  };
  for (const f of FLOORS) if (existsSync(join(ROOT, f))) walk(f);
  graphCache = graph;
  return graph;
}

/** Strongly connected components of more than one node (Tarjan). */
function cycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const found = [];
  let n = 0;
  const visit = (v) => {
    index.set(v, n);
    low.set(v, n);
    n += 1;
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) found.push(comp.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** A file's module: its floor's sub-folder (services/worker), or the floor itself for files at its top. */
const moduleOf = (path) => {
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
};

let cycleCache;
function cycleReport() {
  if (cycleCache) return cycleCache;
  const graph = importGraph();
  const files = new Map();
  for (const comp of cycles(graph)) for (const f of comp) files.set(f, comp);
  // Modules: a floor's top files may assemble its sub-folders and these use the top files; loops
  // between two sub-folders (or two floors) are what the plan forbids.
  const modEdges = new Map();
  const modFiles = new Map();
  for (const [from, deps] of graph) {
    const a = moduleOf(from);
    if (!modEdges.has(a)) modEdges.set(a, new Set());
    for (const to of deps) {
      const b = moduleOf(to);
      if (a === b || a === floorOf(b) || b === floorOf(a)) continue;
      modEdges.get(a).add(b);
      const key = `${a}>${b}`;
      if (!modFiles.has(key)) modFiles.set(key, `${from} -> ${to}`);
    }
  }
  const modules = new Map();
  for (const comp of cycles(modEdges)) {
    const edges = [];
    for (const a of comp) for (const b of comp) if (modFiles.has(`${a}>${b}`)) edges.push(modFiles.get(`${a}>${b}`));
    for (const e of edges) {
      const file = e.split(' -> ')[0];
      const mine = modules.get(file)?.edges ?? [];
      modules.set(file, { comp, edges: [...mine, e] });
    }
  }
  cycleCache = { files, modules };
  return cycleCache;
}

const floors = {
  meta: { type: 'problem', docs: { description: 'a floor imports only from the floors below it' }, schema: [] },
  create(context) {
    const from = rel(context.filename);
    const check = (node) => {
      const spec = node?.source?.value;
      if (typeof spec !== 'string') return;
      const target = resolveSpec(from, spec);
      if (!target) return;
      const why = floorViolation(from, target);
      if (why) context.report({ node: node.source, message: `${why}. Move the rule down a floor instead (docs/architecture.md).` });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

const noCycle = {
  meta: { type: 'problem', docs: { description: 'no import cycle between files, and no loop between modules' }, schema: [] },
  create(context) {
    const from = rel(context.filename);
    return {
      Program(node) {
        const { files, modules } = cycleReport();
        const comp = files.get(from);
        if (comp) context.report({ node, message: `import cycle: ${comp.join(' <-> ')}. Move what they share into a file both import.` });
        const loop = modules.get(from);
        if (loop) {
          const names = loop.comp.length > 6 ? `${loop.comp.slice(0, 6).join(', ')}, ...` : loop.comp.join(', ');
          context.report({ node, message: `this file closes a loop between modules (${names}): ${loop.edges.join('; ')}. Move what they share down a floor.` });
        }
      },
    };
  },
};

export default { meta: { name: 'chiso' }, rules: { floors, 'no-cycle': noCycle } };

/** Every breach of the plan in the tree, for tests and scripts: upward imports, file cycles, module loops. */
export function planProblems() {
  const problems = [];
  for (const [from, deps] of importGraph()) {
    for (const to of deps) {
      const why = floorViolation(from, to);
      if (why) problems.push(`${from} -> ${to}: ${why}`);
    }
  }
  const { files, modules } = cycleReport();
  for (const [file, comp] of files) problems.push(`${file}: import cycle ${comp.join(' <-> ')}`);
  for (const [file, loop] of modules) problems.push(`${file}: module loop ${loop.edges.join('; ')}`);
  return problems;
}
