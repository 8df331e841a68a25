// CSV imports of the units catalogue, plan targets and manual indicator values: each row validated
// with zod; a bad row is a value (line + field + reason), never an exception, so that an operator
// sees every fault of a file at once and the valid rows can still be loaded.
import { z } from 'zod';
import { looksLikeFormula } from '../lib/cells.ts';
import { parseCsvText } from '../lib/csv.ts';
import { CATALOGUE } from './catalogue.ts';
import { periodsContaining } from './periods.ts';
import { COMPARATORS } from './scorecard-status.ts';

export const isoDay = z.iso.date({ error: 'expected a day in the form YYYY-MM-DD, e.g. 2025-03-31' });

export interface RowError {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  field: string;
  reason: string;
}

export interface ImportResult<T> {
  rows: T[];
  errors: RowError[];
}

const code = z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected a code of letters, digits, ".", "_" or "-"' });
const optionalDay = z
  .string()
  .trim()
  .transform((v) => (v === '' ? null : v))
  .pipe(isoDay.nullable());
// Texts that reports print: one that a spreadsheet would run as a formula (=, +, -, @ first) is refused.
const reportText = (what: string, missing: string) =>
  z.string().trim().min(1, { error: missing }).refine((v) => !looksLikeFormula(v), { error: notFormulaReason(what) });
function notFormulaReason(what: string): string {
  return `${what} starts with =, +, - or @, which a spreadsheet would run as a formula: remove that first character`;
}
const level = z.enum(['TINH', 'HUYEN', 'XA'], { error: 'expected TINH, HUYEN or XA' });

export const unitRow = z
  .object({
    code,
    name: reportText('the unit name', 'expected the unit name'),
    level,
    parent_code: z.union([z.literal(''), code]),
    valid_from: isoDay,
    valid_to: optionalDay,
  })
  .refine((u) => u.valid_to === null || u.valid_to >= u.valid_from, { error: 'valid_to is before valid_from', path: ['valid_to'] })
  .refine((u) => u.parent_code !== u.code, { error: 'a unit cannot be its own parent', path: ['parent_code'] });
export type UnitRow = z.infer<typeof unitRow>;

const indicatorCodes = new Set(CATALOGUE.map((i) => i.code));
const manualCodes = new Set(CATALOGUE.filter((i) => i.kind === 'manual').map((i) => i.code));

export const targetRow = z
  .object({
    plan: reportText('the plan', 'expected the plan (e.g. the seed number 003)'),
    indicator: z.string().trim().refine((c) => indicatorCodes.has(c), { error: 'unknown indicator code (see `chiso indicators`)' }),
    scope_unit: z.union([z.literal(''), code]),
    scope_level: z.union([z.literal(''), level]),
    year: z.coerce.number({ error: 'expected a year' }).int().min(2000, { error: 'expected a year from 2000' }).max(2100, { error: 'expected a year up to 2100' }),
    comparator: z.enum(COMPARATORS, { error: 'expected >=, > or =' }),
    value: z.coerce.number({ error: 'expected a number' }).min(0, { error: 'expected a percentage >= 0' }),
  })
  .refine((t) => (t.scope_unit === '') !== (t.scope_level === ''), { error: 'give exactly one of scope_unit and scope_level', path: ['scope_unit'] });
export type TargetRow = z.infer<typeof targetRow>;

export const manualRow = z
  .object({
    indicator: z.string().trim().refine((c) => manualCodes.has(c), { error: 'not a manual indicator (see `chiso indicators`, kind manual)' }),
    unit_code: code,
    period: z.enum(['day', 'month', 'quarter', 'year'], { error: 'expected day, month, quarter or year' }),
    period_start: isoDay,
    value: z.coerce.number({ error: 'expected a number' }).min(0, { error: 'expected a percentage >= 0' }),
  })
  .refine(
    (m) => {
      if (m.period === 'day') return true;
      return periodsContaining(m.period_start).find((p) => p.period === m.period)?.start === m.period_start;
    },
    { error: 'period_start is not the first day of that period (month: YYYY-MM-01; quarter: 01-01, 04-01, 07-01, 10-01; year: YYYY-01-01)', path: ['period_start'] },
  );
export type ManualRow = z.infer<typeof manualRow>;

export const IMPORTS = {
  units: { schema: unitRow, columns: ['code', 'name', 'level', 'parent_code', 'valid_from', 'valid_to'] },
  targets: { schema: targetRow, columns: ['plan', 'indicator', 'scope_unit', 'scope_level', 'year', 'comparator', 'value'] },
  manual: { schema: manualRow, columns: ['indicator', 'unit_code', 'period', 'period_start', 'value'] },
} as const;
export type ImportKind = keyof typeof IMPORTS;

/** Parses a CSV text with a header row and validates every row; never throws on bad data. */
export function parseCsv<K extends ImportKind>(kind: K, text: string): ImportResult<z.infer<(typeof IMPORTS)[K]['schema']>> {
  const { schema, columns } = IMPORTS[kind];
  const csv = parseCsvText(text);
  if (!csv.ok) return { rows: [], errors: [{ line: 0, field: '', reason: `not a readable CSV: ${csv.reason}` }] };
  const [head, ...body] = csv.rows;
  const header = head?.cells ?? [];
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    return { rows: [], errors: [{ line: 1, field: missing.join(','), reason: `missing column(s) ${missing.join(', ')}; expected the header ${columns.join(',')}` }] };
  }
  const rows: z.infer<(typeof IMPORTS)[K]['schema']>[] = [];
  const errors: RowError[] = [];
  // A row's line counts the records read (the header is line 1), as the CLI and the API number manual rows.
  for (const [i, { cells }] of body.entries()) {
    const line = i + 2;
    const obj = Object.fromEntries(header.map((h, j) => [h, cells[j] ?? '']));
    const r = schema.safeParse(obj);
    if (r.success) rows.push(r.data as z.infer<(typeof IMPORTS)[K]['schema']>);
    else for (const issue of r.error.issues) errors.push({ line, field: issue.path.join('.'), reason: issue.message });
  }
  return { rows, errors };
}
