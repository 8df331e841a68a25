// The SQL every family shares: the periods of one call, the roll-up of per-unit facts into every
// ancestor of the unit valid on the fact's day, and the grid that writes a row (NULL value when the
// denominator is 0) for every unit and period, so that recomputing replaces a stale row.
//
// Query parameters every statement binds: pk / ps / pe (period kinds, starts, ends: parallel arrays),
// lo / hi (the first and last day any period covers).
import type { Period } from './periods.ts';

export interface PeriodParams {
  pk: string[];
  ps: string[];
  pe: string[];
  lo: string;
  hi: string;
  [key: string]: unknown;
}

export function periodParams(periods: readonly Period[]): PeriodParams {
  return {
    pk: periods.map((p) => p.period),
    ps: periods.map((p) => p.start),
    pe: periods.map((p) => p.end),
    lo: periods.reduce((m, p) => (p.start < m ? p.start : m), periods[0]?.start ?? '1970-01-01'),
    hi: periods.reduce((m, p) => (p.end > m ? p.end : m), periods[0]?.end ?? '1970-01-01'),
  };
}

/**
 * The periods of the call. as_of is the day a stock is read on: the period's last day, or today
 * (Asia/Ho_Chi_Minh) for the period still running.
 */
export const PERIODS_SQL = `SELECT p.1 AS period, p.2 AS period_start, p.3 AS period_end,
    least(p.3, toDate(now('Asia/Ho_Chi_Minh'))) AS as_of
  FROM (SELECT arrayJoin(arrayZip({pk:Array(String)}, {ps:Array(Date)}, {pe:Array(Date)})) AS p)`;

/** Day of a DateTime64 column in the Vietnamese calendar. */
export const dayOf = (col: string): string => `toDate(${col}, 'Asia/Ho_Chi_Minh')`;

/**
 * Facts dated by day, aggregated by `aggregates` (num, den over the facts f) into every ancestor of
 * the fact's unit valid on its day and every period of the call containing the day.
 */
function byAncestorAndPeriod(db: string, facts: string, aggregates: string): string {
  return `SELECT f.indicator AS indicator, a.ancestor_code AS unit_code, p.period AS period, p.period_start AS period_start,
      ${aggregates}
    FROM (${facts}) AS f
    INNER JOIN ${db}.unit_ancestors AS a ON a.unit_code = f.unit_code
    CROSS JOIN (${PERIODS_SQL}) AS p
    WHERE f.day BETWEEN p.period_start AND p.period_end AND f.day BETWEEN a.valid_from AND a.valid_to
    GROUP BY indicator, unit_code, period, period_start`;
}

/**
 * Flow indicators: `facts` yields (unit_code, day, indicator, num, den) per unit and day; sums
 * over the subtree and the period.
 */
export function flowAgg(db: string, facts: string): string {
  return byAncestorAndPeriod(db, facts, 'sum(f.num) AS num, sum(f.den) AS den');
}

/**
 * Distinct indicators: `facts` yields (unit_code, day, indicator, key, in_num, in_den); distinct
 * keys recounted over the subtree and the whole period (not additive).
 */
export function distinctAgg(db: string, facts: string): string {
  return byAncestorAndPeriod(db, facts, 'toFloat64(uniqExactIf(f.key, f.in_num = 1)) AS num, toFloat64(uniqExactIf(f.key, f.in_den = 1)) AS den');
}

/**
 * Stock indicators: `facts` yields (unit_code, period, period_start, as_of, indicator, num, den),
 * the state of each unit on the period's as_of day (it reads the periods itself); counts summed
 * over the subtree as it stood that day.
 */
export function stockAgg(db: string, facts: string): string {
  return `SELECT f.indicator AS indicator, a.ancestor_code AS unit_code, f.period AS period, f.period_start AS period_start,
      sum(f.num) AS num, sum(f.den) AS den
    FROM (${facts}) AS f
    INNER JOIN ${db}.unit_ancestors AS a ON a.unit_code = f.unit_code
    WHERE f.as_of BETWEEN a.valid_from AND a.valid_to
    GROUP BY indicator, unit_code, period, period_start`;
}

/**
 * The INSERT: every unit valid during a period x every period x the given indicators, left-joined
 * with the aggregates (a missing aggregate is 0 / 0, so NULL). A later computed_at replaces.
 */
export function insertValues(db: string, indicators: readonly string[], aggregates: readonly string[]): string {
  const codes = indicators.map((c) => `'${c.replace(/[^a-z0-9_]/g, '')}'`).join(', ');
  return `INSERT INTO ${db}.indicator_values (indicator, unit_code, period, period_start, numerator, denominator, value, computed_at)
  SELECT g.indicator, g.unit_code, g.period, g.period_start, v.num, v.den,
    if(v.den = 0, NULL, v.num / v.den * 100), now64(3, 'Asia/Ho_Chi_Minh')
  FROM (
    SELECT arrayJoin([${codes}]) AS indicator, u.code AS unit_code, p.period AS period, p.period_start AS period_start
    FROM (SELECT DISTINCT code, valid_from, ifNull(valid_to, toDate('2149-06-06')) AS valid_to FROM ${db}.units FINAL) AS u
    CROSS JOIN (${PERIODS_SQL}) AS p
    WHERE u.valid_from <= p.period_end AND u.valid_to >= p.period_start
    GROUP BY indicator, unit_code, period, period_start
  ) AS g
  LEFT JOIN (${aggregates.map((a) => `(${a})`).join(' UNION ALL ')}) AS v
    ON v.indicator = g.indicator AND v.unit_code = g.unit_code AND v.period = g.period AND v.period_start = g.period_start`;
}
