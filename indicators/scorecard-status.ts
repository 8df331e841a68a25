// The scorecard status: THE rule of how an indicator's value stands against a plan's target (IOC.md,
// seed 003's appendix), in one place beside the catalogue. Which targets apply to a unit (the unit
// a target names, or every unit of the level it names), the attainment (value / target x 100 to one
// decimal) and the status (met / not_met by the target's comparator, no_data without a value).
//
// Everyone who judges a value reads it from here: the monthly report (indicators/report/rows.ts)
// through the TypeScript functions, the API's scorecard query (services/ioc-api/routes/
// scorecard-query.ts) through the SQL expressions, and the v_scorecard view through
// scorecardViewStatement(). The infra floor (the migrator) cannot import this floor, and applied
// migrations never change, so the view's text is kept in a migration and checked instead:
// test/unit/scorecard-status.test.ts fails when the newest migration that defines v_scorecard holds
// another statement than scorecardViewStatement() gives. A change of the rule is a new migration
// holding the new statement (the test's failure prints it).

/** A target's comparator, as the targets table's Enum8 and the targets import spell it. */
export const COMPARATORS = ['>=', '>', '='] as const;
export type Comparator = (typeof COMPARATORS)[number];

export const STATUSES = ['met', 'not_met', 'no_data'] as const;
export type ScoreStatus = (typeof STATUSES)[number];

/** What users see for a status (Vietnamese). */
export const STATUS_VI: Record<ScoreStatus, string> = { met: 'Đạt', not_met: 'Chưa đạt', no_data: 'Chưa có dữ liệu' };
/** A comparator as printed beside a target. */
export const COMPARATOR_TEXT: Record<string, string> = { '>=': '≥', '>': '>', '=': '=' };

/**
 * How far apart a value and a target may be and still be equal: values are ratios computed in
 * floating point (57 % may come out as 56.99999999999999), so '=' and the '>=' boundary allow it.
 */
export const TOLERANCE = 1e-9;

interface ComparatorRule {
  met: (value: number, target: number) => boolean;
  /** The same test as a ClickHouse expression over two column expressions. */
  sql: (value: string, target: string) => string;
}

const RULES: Record<Comparator, ComparatorRule> = {
  '>=': { met: (v, t) => v >= t - TOLERANCE, sql: (v, t) => `${v} >= ${t} - ${TOLERANCE}` },
  '>': { met: (v, t) => v > t, sql: (v, t) => `${v} > ${t}` },
  '=': { met: (v, t) => Math.abs(v - t) < TOLERANCE, sql: (v, t) => `abs(${v} - ${t}) < ${TOLERANCE}` },
};

const isComparator = (c: string): c is Comparator => (COMPARATORS as readonly string[]).includes(c);

/** The status of a value against a target; an unknown comparator is never met. */
export function scoreStatus(comparator: string, value: number | null, target: number): ScoreStatus {
  if (value === null) return 'no_data';
  return isComparator(comparator) && RULES[comparator].met(value, target) ? 'met' : 'not_met';
}

/** value / target x 100 to one decimal; null without a value or for a zero target. */
export function attainment(value: number | null, target: number): number | null {
  return value === null || target === 0 ? null : Math.round((value / target) * 100 * 10) / 10;
}

/** Column expressions the SQL forms read: the value (Nullable), the target and its comparator. */
export interface ScoreColumns {
  value: string;
  target: string;
  comparator: string;
}

/** scoreStatus as a ClickHouse expression (a String). */
export function statusSql(c: ScoreColumns): string {
  const branches = COMPARATORS.map((cmp) => `${c.comparator} = '${cmp}' AND ${RULES[cmp].sql(c.value, c.target)}, 'met'`);
  return `multiIf(${c.value} IS NULL, 'no_data', ${branches.join(', ')}, 'not_met')`;
}

/** attainment as a ClickHouse expression (a Nullable(Float64)). */
export function attainmentSql(c: Pick<ScoreColumns, 'value' | 'target'>): string {
  return `if(${c.value} IS NULL OR ${c.target} = 0, NULL, round(${c.value} / ${c.target} * 100, 1))`;
}

/**
 * Whether target row `t` applies to unit row `u` (aliases of a join): the unit it names, or every
 * unit of the level it names when it names none. Columns read: t.scope_unit, t.scope_level, u.code, u.level.
 */
export function targetAppliesSql(t: string, u: string): string {
  return `(${t}.scope_unit != '' AND ${u}.code = ${t}.scope_unit) OR (${t}.scope_unit = '' AND ${u}.level = ${t}.scope_level)`;
}

/**
 * The v_scorecard view (`{db}` for the database, as in migrations): each target against the year
 * row (year-to-date while the year runs) of every unit it applies to, read from migration 0040's
 * indicator_year_values. join_use_nulls is off: a target with no year row yet leaves v.unit_code
 * empty, so the year row's own columns are NULL then.
 */
export function scorecardViewStatement(): string {
  const cols = { value: 'v.value', target: 't.value', comparator: 't.comparator' };
  return `CREATE OR REPLACE VIEW {db}.v_scorecard AS
SELECT
    t.plan AS plan,
    t.indicator AS indicator,
    u.code AS unit_code,
    u.name AS unit_name,
    u.level AS level,
    t.year AS year,
    toString(t.comparator) AS comparator,
    t.value AS target,
    v.value AS value,
    ${attainmentSql(cols)} AS attainment,
    ${statusSql(cols)} AS status,
    if(v.unit_code = '', NULL, v.numerator) AS numerator,
    if(v.unit_code = '', NULL, v.denominator) AS denominator,
    if(v.unit_code = '', NULL, v.computed_at) AS computed_at
FROM (SELECT plan, indicator, scope_unit, scope_level, year, comparator, value FROM {db}.targets FINAL) AS t
INNER JOIN
(
    SELECT code, argMax(name, valid_from) AS name, argMax(level, valid_from) AS level
    FROM {db}.units FINAL
    GROUP BY code
) AS u ON ${targetAppliesSql('t', 'u')}
LEFT JOIN
(
    SELECT indicator, unit_code, toUInt16(toYear(period_start)) AS year, numerator, denominator, value, computed_at
    FROM {db}.indicator_year_values FINAL
) AS v ON v.indicator = t.indicator AND v.unit_code = u.code AND v.year = t.year`;
}
