-- The IOC contract of shared/design/IOC.md: the time series, the catalogues, the ingestion ledger
-- and its rejects. IOC screens and operators depend on these names and columns.

CREATE TABLE IF NOT EXISTS {db}.indicator_values
(
    indicator LowCardinality(String),
    unit_code LowCardinality(String),
    period Enum8('day' = 1, 'month' = 2, 'quarter' = 3, 'year' = 4),
    period_start Date,
    numerator Float64,
    denominator Float64,
    value Nullable(Float64),
    computed_at DateTime64(3, 'Asia/Ho_Chi_Minh')
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (indicator, unit_code, period, period_start);

CREATE TABLE IF NOT EXISTS {db}.units
(
    code String,
    name String,
    level LowCardinality(String),
    parent_code String DEFAULT '',
    valid_from Date,
    valid_to Nullable(Date),
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (code, valid_from);

CREATE TABLE IF NOT EXISTS {db}.indicators
(
    code String,
    name_vi String,
    name_en String,
    source LowCardinality(String),
    kind Enum8('flow' = 1, 'distinct' = 2, 'stock' = 3, 'manual' = 4),
    description String,
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY code;

CREATE TABLE IF NOT EXISTS {db}.targets
(
    plan String,
    indicator LowCardinality(String),
    scope_unit String DEFAULT '',
    scope_level LowCardinality(String) DEFAULT '',
    year UInt16,
    comparator Enum8('>=' = 1, '>' = 2, '=' = 3),
    value Float64,
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (plan, indicator, scope_unit, scope_level, year);

CREATE TABLE IF NOT EXISTS {db}.ingest_runs
(
    run_id String,
    source LowCardinality(String),
    entity LowCardinality(String),
    origin String,
    started_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    finished_at Nullable(DateTime64(3, 'Asia/Ho_Chi_Minh')),
    status Enum8('running' = 1, 'succeeded' = 2, 'failed' = 3),
    read UInt64,
    accepted UInt64,
    rejected UInt64,
    error String DEFAULT '',
    replay_of String DEFAULT '',
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY run_id;

CREATE TABLE IF NOT EXISTS {db}.rejects
(
    run_id String,
    source LowCardinality(String),
    entity LowCardinality(String),
    location String,
    field String DEFAULT '',
    reason String,
    original String,
    topic String DEFAULT '',
    partition Int32 DEFAULT -1,
    offset Int64 DEFAULT -1,
    rejected_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(rejected_at)
ORDER BY (run_id, location, reason)
SETTINGS non_replicated_deduplication_window = 1000;
