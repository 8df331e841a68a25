-- v_scorecard from the one rule of the scorecard status, indicators/scorecard-status.ts
-- (scorecardViewStatement()): the statement below is that function's text, checked by
-- test/unit/scorecard-status.test.ts, not kept by hand. Same columns as 0040's view; the one change
-- is the '>=' boundary, which now allows the rule's float tolerance (1e-9) as the monthly report
-- always did, so a value that is the target up to rounding is met on both.
CREATE OR REPLACE VIEW {db}.v_scorecard AS
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
    if(v.value IS NULL OR t.value = 0, NULL, round(v.value / t.value * 100, 1)) AS attainment,
    multiIf(v.value IS NULL, 'no_data', t.comparator = '>=' AND v.value >= t.value - 1e-9, 'met', t.comparator = '>' AND v.value > t.value, 'met', t.comparator = '=' AND abs(v.value - t.value) < 1e-9, 'met', 'not_met') AS status,
    if(v.unit_code = '', NULL, v.numerator) AS numerator,
    if(v.unit_code = '', NULL, v.denominator) AS denominator,
    if(v.unit_code = '', NULL, v.computed_at) AS computed_at
FROM (SELECT plan, indicator, scope_unit, scope_level, year, comparator, value FROM {db}.targets FINAL) AS t
INNER JOIN
(
    SELECT code, argMax(name, valid_from) AS name, argMax(level, valid_from) AS level
    FROM {db}.units FINAL
    GROUP BY code
) AS u ON (t.scope_unit != '' AND u.code = t.scope_unit) OR (t.scope_unit = '' AND u.level = t.scope_level)
LEFT JOIN
(
    SELECT indicator, unit_code, toUInt16(toYear(period_start)) AS year, numerator, denominator, value, computed_at
    FROM {db}.indicator_year_values FINAL
) AS v ON v.indicator = t.indicator AND v.unit_code = u.code AND v.year = t.year;
