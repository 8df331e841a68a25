// Reading one exported record's fields by their JSON name or any of their spreadsheet headings
// (matched without case or diacritics), collecting the first problem as a value: a mapper reads all
// it needs, then returns the event or the reject naming the source field.
import type { CodeTable } from './codes.ts';
import { parseCode } from './codes.ts';
import { type Parsed, parseDay, parseTime } from './dates.ts';
import { identifierProblem, MAX_LENGTH } from '../../schemas/limits.ts';
import { asText, headingKey } from './text.ts';
import { parseAmount, parseFlag } from './values.ts';

/** A source field: its JSON name (used in reject reasons) and the headings that mean the same. */
export interface FieldSpec {
  name: string;
  aliases?: readonly string[];
}

const keyCache = new Map<string, string>();
export function cachedKey(k: string): string {
  let v = keyCache.get(k);
  if (v === undefined) {
    // "Kenh nop (Truc tiep / Truc tuyen)": a heading's trailing explanation is not part of its name.
    v = headingKey(k.replace(/\s*\([^)]*\)\s*$/, ''));
    if (keyCache.size < 10_000) keyCache.set(k, v);
  }
  return v;
}

export class FieldReader {
  private readonly byKey = new Map<string, { key: string; value: unknown }>();
  /** The first problem found: the source field and the reason. */
  error: { field: string; reason: string } | undefined;

  constructor(fields: Record<string, unknown>) {
    for (const [key, value] of Object.entries(fields)) {
      const k = cachedKey(key);
      if (!this.byKey.has(k)) this.byKey.set(k, { key, value });
    }
  }

  /** Every key of the record, as exported. */
  keys(): IterableIterator<string> {
    return [...this.byKey.values()].map((e) => e.key).values();
  }

  /** The raw value of a field and the key it was found under, if present. */
  find(spec: FieldSpec): { key: string; value: unknown } | undefined {
    for (const name of [spec.name, ...(spec.aliases ?? [])]) {
      const hit = this.byKey.get(cachedKey(name));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  fail(spec: FieldSpec | string, reason: string, foundAs?: string): undefined {
    const name = typeof spec === 'string' ? spec : spec.name;
    if (this.error === undefined) {
      const where = foundAs !== undefined && cachedKey(foundAs) !== cachedKey(name) ? ` (column "${foundAs}")` : '';
      this.error = { field: name, reason: `${name}${where}: ${reason}` };
    }
    return undefined;
  }

  private parse<T>(spec: FieldSpec, required: boolean, parse: (v: unknown) => Parsed<T>): T | undefined {
    const hit = this.find(spec);
    if (hit === undefined || asText(hit.value) === '') {
      return required ? this.fail(spec, 'missing', hit?.key) : undefined;
    }
    const r = parse(hit.value);
    return r.ok ? r.value : this.fail(spec, r.error, hit.key);
  }

  /** Free text (a name, a document number), at most MAX_LENGTH.text characters (schemas/limits.ts). */
  text(spec: FieldSpec, opts: { required?: boolean; max?: number } = {}): string | undefined {
    const max = opts.max ?? MAX_LENGTH.text;
    return this.parse(spec, opts.required ?? false, (v) => {
      const t = asText(v);
      return t.length > max ? { ok: false, error: `${t.length} characters long (at most ${max})` } : { ok: true, value: t };
    });
  }

  /**
   * A code that identifies something (record, unit, procedure, field, dossier): printable characters
   * only and at most MAX_LENGTH.code characters, the rule of schemas/limits.ts; otherwise the record
   * is rejected naming this field (a NUL byte, a control character, invalid UTF-8, a 300-character code).
   */
  id(spec: FieldSpec, opts: { required?: boolean; max?: number } = {}): string | undefined {
    const max = opts.max ?? MAX_LENGTH.code;
    return this.parse(spec, opts.required ?? false, (v) => {
      const t = asText(v);
      const problem = identifierProblem(t, max);
      return problem === undefined ? { ok: true, value: t } : { ok: false, error: problem };
    });
  }

  time(spec: FieldSpec, opts: { required?: boolean } = {}): string | undefined {
    return this.parse(spec, opts.required ?? false, parseTime);
  }

  day(spec: FieldSpec, opts: { required?: boolean } = {}): string | undefined {
    return this.parse(spec, opts.required ?? false, parseDay);
  }

  /** A flag; absent or empty is false. `parse` reads a field whose flag has more spellings. */
  flag(spec: FieldSpec, parse: (v: unknown) => Parsed<boolean> = parseFlag): boolean {
    const hit = this.find(spec);
    if (hit === undefined) return false;
    const r = parse(hit.value);
    if (r.ok) return r.value;
    this.fail(spec, r.error, hit.key);
    return false;
  }

  amount(spec: FieldSpec, opts: { required?: boolean } = {}): number | undefined {
    return this.parse(spec, opts.required ?? false, parseAmount);
  }

  code<T extends string>(spec: FieldSpec, table: CodeTable<T>, opts: { required?: boolean } = {}): T | undefined {
    return this.parse(spec, opts.required ?? false, (v) => parseCode(table, v));
  }

  /** A code whose empty value has a meaning of its own (e.g. DoMat empty = THUONG). */
  codeOr<T extends string>(spec: FieldSpec, table: CodeTable<T>, fallback: T): T {
    const hit = this.find(spec);
    if (hit === undefined || asText(hit.value) === '') return fallback;
    const r = parseCode(table, hit.value);
    if (r.ok) return r.value;
    this.fail(spec, r.error, hit.key);
    return fallback;
  }
}
