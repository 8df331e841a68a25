-- What IOC screens read (IOC.md): the deduplicated time series and the scorecard against the plans'
-- targets; plus the unit hierarchy flattened for roll-ups and the nightly run's watermark.

-- indicator_values is a ReplacingMergeTree(computed_at): a recomputation inserts a later row for the
-- same key, and FINAL keeps only that one until the background merge removes the older row.
CREATE VIEW IF NOT EXISTS {db}.v_indicator_values AS
SELECT indicator, unit_code, period, period_start, numerator, denominator, value, computed_at
FROM {db}.indicator_values FINAL;

-- One row per (unit version, ancestor), the unit itself included at depth 0. A record dated d rolls
-- up into the ancestors of the unit version valid on d (valid_to inclusive, NULL while open); the
-- grandparents and above follow each parent's latest version. Province > district > commune needs
-- 3 levels; 5 are followed.
CREATE VIEW IF NOT EXISTS {db}.unit_ancestors AS
SELECT
    u.code AS unit_code,
    u.valid_from AS valid_from,
    ifNull(u.valid_to, toDate('2149-06-06')) AS valid_to,
    chain[idx] AS ancestor_code,
    toUInt8(idx - 1) AS depth
FROM
(
    SELECT
        v.code AS code,
        v.valid_from AS valid_from,
        v.valid_to AS valid_to,
        arrayFilter(c -> c != '', [v.code, v.parent_code, p2.parent_code, p3.parent_code, p4.parent_code]) AS chain
    FROM (SELECT code, parent_code, valid_from, valid_to FROM {db}.units FINAL) AS v
    LEFT JOIN (SELECT code, argMax(parent_code, valid_from) AS parent_code FROM {db}.units FINAL GROUP BY code) AS p2 ON p2.code = v.parent_code
    LEFT JOIN (SELECT code, argMax(parent_code, valid_from) AS parent_code FROM {db}.units FINAL GROUP BY code) AS p3 ON p3.code = p2.parent_code
    LEFT JOIN (SELECT code, argMax(parent_code, valid_from) AS parent_code FROM {db}.units FINAL GROUP BY code) AS p4 ON p4.code = p3.parent_code
) AS u
ARRAY JOIN arrayEnumerate(u.chain) AS idx;

-- The scorecard (IOC.md, seed 003's shape): each target applied to the unit it names or to every
-- unit of the level it names, against the unit's year row (year-to-date while the year runs).
-- attainment = value / target x 100 to one decimal; status no_data when the value is NULL.
CREATE VIEW IF NOT EXISTS {db}.v_scorecard AS
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
    FROM {db}.indicator_values FINAL
    WHERE period = 'year'
) AS v ON v.indicator = t.indicator AND v.unit_code = u.code AND v.year = t.year;

-- The nightly run's watermark: the touched_days rows with touched_at after `touched_until` are
-- the late data it has not recomputed yet. The latest row per name wins.
CREATE TABLE IF NOT EXISTS {db}.compute_watermarks
(
    name String,
    touched_until DateTime64(3, 'Asia/Ho_Chi_Minh'),
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY name;
