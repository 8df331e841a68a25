-- The scorecard reads only the year rows of indicator_values, but FINAL over indicator_values
-- merges every day and month row of every unit first (p95 ~190 ms for a province-year while an
-- ingestion runs). The year rows are kept, as they are inserted, in a small table keyed by unit and
-- year that v_scorecard reads instead: same rows, same deduplication (the newest computed_at wins).
CREATE TABLE IF NOT EXISTS {db}.indicator_year_values
(
    indicator LowCardinality(String),
    unit_code LowCardinality(String),
    period_start Date,
    numerator Float64,
    denominator Float64,
    value Nullable(Float64),
    computed_at DateTime64(3, 'Asia/Ho_Chi_Minh')
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (unit_code, period_start, indicator);

-- Every insert into indicator_values (the computation's INSERT ... SELECT and its JSON inserts)
-- passes its year rows on. A year row written twice is one row under FINAL, as in the source table.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.mv_indicator_year_values TO {db}.indicator_year_values AS
SELECT indicator, unit_code, period_start, numerator, denominator, value, computed_at
FROM {db}.indicator_values
WHERE period = 'year';

-- The year rows written before this migration (a row also caught by the view above is the same
-- key and version: FINAL keeps one).
INSERT INTO {db}.indicator_year_values (indicator, unit_code, period_start, numerator, denominator, value, computed_at)
SELECT indicator, unit_code, period_start, numerator, denominator, value, computed_at
FROM {db}.indicator_values
WHERE period = 'year';

-- v_scorecard of 0020, same columns and semantics, over the year table.
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
    multiIf(
        v.value IS NULL, 'no_data',
        t.comparator = '>=' AND v.value >= t.value, 'met',
        t.comparator = '>' AND v.value > t.value, 'met',
        t.comparator = '=' AND abs(v.value - t.value) < 1e-9, 'met',
        'not_met'
    ) AS status,
    -- join_use_nulls is off: a target with no year row yet leaves v.unit_code empty.
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
