// GUARDED CLEVERNESS, READ BEFORE UPGRADING ZOD. This module reads zod's internal definitions
// (`schema._zod.def`, `_zod.values`: not public API, free to change in any zod release) and compiles
// them into code with `new Function`. A zod release that renames a kind of check, moves a field of a
// definition or changes what it accepts would make the sink's fast path accept what zod refuses, or
// refuse what it accepts, silently. So zod is pinned exactly in package.json (no ^), to the version
// reviewed against this file (REVIEWED_ZOD_VERSION below), and test/unit/unchanged-guard.test.ts fails
// loudly when the installed zod is another version or when the compiled predicate disagrees with
// zod's own parse on a table of valid and invalid samples of every schema compiled here. To upgrade
// zod: bump the pin, read zod's changes to the definitions this file reads, run that test and
// test/unit/unchanged.test.ts, then set REVIEWED_ZOD_VERSION. (zod's public API cannot replace this
// at the same speed: safeParse is what this avoids, see "Why" below and bench/sink.bench.ts.)
//
// A zod schema as an allocation-free predicate, for the sink's hot path: true when the schema accepts
// the value AND would return it as it is (no default to fill in, no unknown key to strip), so that
// the parsed JSON can be used in place of zod's copy. Anything else, false: the caller then runs the
// schema itself, which gives the answer and the error message. zod stays the single definition; this
// only reads its definitions, and knows the few kinds of schema the canonical events are made of.
// (Arrays, for a dossier's steps, since contract A of the Decision 766 index: checked element by
// element in a generated loop, with their length bounds.)
//
// Why: safeParse builds its output object by object and a { value, issues } record per field: about
// 4 KB of garbage and 3 µs per canonical event, against 0.5 µs and none for this predicate: about a
// tenth of the sink's thread (docs/sink.md, "Validation").
// The predicate is generated as straight-line code (as zod does for its own objects): a closure per
// field costs a call that V8 cannot inline, twice the time of the tests themselves.
import type { z } from 'zod';
import { ChisoError } from '../lib/errors.ts';

/** The zod version this module was last reviewed against; package.json pins zod to exactly this. */
export const REVIEWED_ZOD_VERSION = '4.6.7';

/** Minimal views of zod 4's definitions (`schema._zod.def`), as far as this module reads them. */
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  options?: Schema[];
  discriminator?: string;
  innerType?: Schema;
  values?: unknown[];
  format?: string;
  pattern?: RegExp;
  coerce?: boolean;
}
interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}
interface Schema {
  _zod: { def: Def; values?: Set<unknown> };
}

/** Kinds of string format whose whole check is their pattern (zod's $ZodCheckStringFormat). */
const PATTERN_FORMATS = new Set(['regex', 'datetime', 'date', 'time']);

/** A kind of schema (or check) this module does not know: the predicate would not be exact. */
export class UnsupportedSchema extends ChisoError {
  override readonly name = 'UnsupportedSchema';
  constructor(message: string) {
    super(message, 'UNSUPPORTED_SCHEMA', false);
  }
}

/**
 * The predicate of `schema`. Throws UnsupportedSchema when the schema holds a kind this module does
 * not know (a transform, a refinement, a format checked by code...): then use the schema alone.
 */
export function unchangedBy<S extends z.ZodType>(schema: S): (v: unknown) => v is z.output<S> {
  const g = new Generator();
  const root = g.fn(schema as unknown as Schema, '');
  // The code comes from the schema's definition only, never from data; the constants (patterns, sets
  // of values) are its parameters.
  const make = new Function(...g.constants.map((_, i) => `c${i}`), `"use strict";\n${g.functions.join('\n')}\nreturn ${root};`) as (...c: unknown[]) => (v: unknown) => boolean;
  return make(...g.constants) as (v: unknown) => v is z.output<S>;
}

class Generator {
  readonly constants: unknown[] = [];
  readonly functions: string[] = [];

  constant(c: unknown): string {
    this.constants.push(c);
    return `c${this.constants.length - 1}`;
  }

  /** The name of a generated function testing its argument against `s`. */
  fn(s: Schema, path: string): string {
    const name = `f${this.functions.length}`;
    this.functions.push('');
    this.functions[Number(name.slice(1))] = `function ${name}(x) { return ${this.test(s, 'x', path)}; }`;
    return name;
  }

  /** A boolean expression testing the variable `x` (a name, evaluated as often as needed) against `s`. */
  test(s: Schema, x: string, path: string): string {
    const def = s._zod.def;
    const at = path === '' ? 'the schema' : path;
    switch (def.type) {
      case 'string': {
        if (def.coerce) throw new UnsupportedSchema(`${at}: coercion`);
        const tests = [`typeof ${x} === 'string'`];
        // A string format (z.iso.datetime(), ...) is a check of its own, on its definition.
        if (def.format !== undefined) tests.push(this.stringCheck({ check: 'string_format', format: def.format, pattern: def.pattern }, x, at));
        for (const c of def.checks ?? []) tests.push(this.stringCheck(c._zod.def, x, at));
        return `(${tests.join(' && ')})`;
      }
      case 'number': {
        if (def.coerce) throw new UnsupportedSchema(`${at}: coercion`);
        const tests = [`typeof ${x} === 'number'`, `Number.isFinite(${x})`];
        // z.int() and the like are a format of their own definition.
        if (def.format !== undefined) tests.push(numberCheck({ check: 'number_format', format: def.format }, x, at));
        for (const c of def.checks ?? []) tests.push(numberCheck(c._zod.def, x, at));
        return `(${tests.join(' && ')})`;
      }
      case 'boolean':
        noChecks(def, at);
        if (def.coerce) throw new UnsupportedSchema(`${at}: coercion`);
        return `(typeof ${x} === 'boolean')`;
      case 'enum':
      case 'literal': {
        // The set zod itself tests against (an enum's values without a TypeScript enum's reverse mappings).
        noChecks(def, at);
        const values = s._zod.values;
        if (!(values instanceof Set)) throw new UnsupportedSchema(`${at}: an ${def.type} without its set of values`);
        return `${this.constant(values)}.has(${x})`;
      }
      case 'nullable':
        noChecks(def, at);
        return `(${x} === null || ${this.test(need(def.innerType, at), x, path)})`;
      case 'optional':
        noChecks(def, at);
        return `(${x} === undefined || ${this.test(need(def.innerType, at), x, path)})`;
      case 'default':
        // A missing value would be filled in (the output differs): only a present one passes unchanged.
        noChecks(def, at);
        return `(${x} !== undefined && ${this.test(need(def.innerType, at), x, path)})`;
      case 'object':
        return `${this.objectFn(def, path)}(${x})`;
      case 'array':
        return `${this.arrayFn(def, path)}(${x})`;
      case 'union':
        return `${this.unionFn(def, path)}(${x})`;
      default:
        throw new UnsupportedSchema(`${at}: a schema of type ${def.type}`);
    }
  }

  private objectFn(def: Def, path: string): string {
    const at = path === '' ? 'the schema' : path;
    noChecks(def, at);
    // Unknown keys are stripped by z.object() (no catchall): a value holding one is not returned as is.
    if (def.catchall !== undefined) throw new UnsupportedSchema(`${at}: an object with a catchall`);
    const name = `f${this.functions.length}`;
    this.functions.push('');
    const lines = [`function ${name}(o) {`, `  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;`, '  let v, present = 0;'];
    for (const [key, schema] of Object.entries(def.shape ?? {})) {
      lines.push(`  v = o[${JSON.stringify(key)}];`, `  if (!${this.test(schema, 'v', path === '' ? key : `${path}.${key}`)}) return false;`, '  if (v !== undefined) present++;');
    }
    // As many enumerable keys as known ones present: no unknown key, and none of them inherited.
    lines.push('  let keys = 0;', '  for (const k in o) keys++;', '  return keys === present;', '}');
    this.functions[Number(name.slice(1))] = lines.join('\n');
    return name;
  }

  /** An array: its length checks (min, max, exact), then every element, in a loop (no closure per element). */
  private arrayFn(def: Def, path: string): string {
    const at = path === '' ? 'the schema' : path;
    if (def.coerce) throw new UnsupportedSchema(`${at}: coercion`);
    const name = `f${this.functions.length}`;
    this.functions.push('');
    const tests = ['Array.isArray(a)'];
    for (const c of def.checks ?? []) {
      const k = c._zod.def;
      if (k.check !== 'min_length' && k.check !== 'max_length' && k.check !== 'length_equals') throw new UnsupportedSchema(`${at}: the array check ${k.check}`);
      tests.push(this.stringCheck(k, 'a', at));
    }
    const lines = [`function ${name}(a) {`, `  if (!(${tests.join(' && ')})) return false;`, '  let v;', '  for (let i = 0; i < a.length; i++) {', '    v = a[i];', `    if (!${this.test(need(def.element, at), 'v', `${path}[]`)}) return false;`, '  }', '  return true;', '}'];
    this.functions[Number(name.slice(1))] = lines.join('\n');
    return name;
  }

  private unionFn(def: Def, path: string): string {
    const at = path === '' ? 'the schema' : path;
    noChecks(def, at);
    const key = def.discriminator;
    // Without a discriminator zod returns the first option that accepts the value, possibly changed,
    // which a predicate of "accepted unchanged" cannot tell apart from a later option's.
    if (key === undefined) throw new UnsupportedSchema(`${at}: a union without a discriminator`);
    // Discriminated: the option is chosen by the literal value of `key`, as zod does.
    const byValue = new Map<unknown, string>();
    for (const [i, o] of (def.options ?? []).entries()) {
      const d = o._zod.def.shape?.[key]?._zod.def;
      if (d?.type !== 'literal' || d.values === undefined) throw new UnsupportedSchema(`${at}: an option without a literal ${key}`);
      const option = this.fn(o, `${path}|${i}`);
      for (const value of d.values) {
        if (byValue.has(value)) throw new UnsupportedSchema(`${at}: two options for ${key} = ${String(value)}`);
        byValue.set(value, option);
      }
    }
    const name = `f${this.functions.length}`;
    const table = this.constant(byValue);
    const options = [...new Set(byValue.values())];
    // The options by name, looked up in a switch (no call through a variable: V8 inlines each).
    const cases = options.map((o) => `    case '${o}': return ${o}(o);`).join('\n');
    this.functions.push(
      `function ${name}(o) {\n  if (typeof o !== 'object' || o === null) return false;\n  switch (${table}.get(o[${JSON.stringify(key)}])) {\n${cases}\n    default: return false;\n  }\n}`,
    );
    return name;
  }

  private stringCheck(c: CheckDef, x: string, at: string): string {
    switch (c.check) {
      case 'min_length':
        return `${x}.length >= ${num(c.minimum, at)}`;
      case 'max_length':
        return `${x}.length <= ${num(c.maximum, at)}`;
      case 'length_equals':
        return `${x}.length === ${num(c.length, at)}`;
      case 'string_format': {
        if (c.format === undefined || !PATTERN_FORMATS.has(c.format) || c.pattern === undefined) throw new UnsupportedSchema(`${at}: the string format ${c.format ?? '?'}`);
        const p = this.constant(c.pattern);
        return `(${p}.lastIndex = 0, ${p}.test(${x}))`;
      }
      default:
        throw new UnsupportedSchema(`${at}: the string check ${c.check}`);
    }
  }
}

function numberCheck(c: CheckDef, x: string, at: string): string {
  switch (c.check) {
    case 'number_format':
      if (c.format !== 'safeint') throw new UnsupportedSchema(`${at}: the number format ${c.format ?? '?'}`);
      return `Number.isSafeInteger(${x})`;
    case 'greater_than':
      return `${x} ${c.inclusive ? '>=' : '>'} ${num(c.value, at)}`;
    case 'less_than':
      return `${x} ${c.inclusive ? '<=' : '<'} ${num(c.value, at)}`;
    default:
      throw new UnsupportedSchema(`${at}: the number check ${c.check}`);
  }
}

/** A finite number as code. */
function num(n: number | undefined, at: string): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new UnsupportedSchema(`${at}: a bound that is not a finite number`);
  return String(n);
}

function noChecks(def: Def, at: string): void {
  if ((def.checks ?? []).length > 0) throw new UnsupportedSchema(`${at}: a refinement on a ${def.type}`);
}

function need(s: Schema | undefined, at: string): Schema {
  if (s === undefined) throw new UnsupportedSchema(`${at}: no inner schema`);
  return s;
}
