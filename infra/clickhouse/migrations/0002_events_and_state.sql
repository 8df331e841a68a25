-- Raw events (append-only, one row per event id) and the latest-state tables that the indicators read
-- (one row per source record after FINAL / argMax, the newest updated_at winning), plus the days each
-- sink batch touched, for late-data recomputation. Written only by the sink (services/sink).

CREATE TABLE IF NOT EXISTS {db}.raw_events
(
    event_id String,
    source LowCardinality(String),
    entity LowCardinality(String),
    record_id String,
    unit_code LowCardinality(String),
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    run_id String,
    origin String,
    payload String CODEC(ZSTD(3)),
    topic LowCardinality(String),
    partition Int32,
    offset Int64,
    ingested_at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY source
ORDER BY (source, entity, event_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.dossiers
(
    record_id String,
    unit_code LowCardinality(String),
    procedure_code LowCardinality(String),
    procedure_name String,
    field_code LowCardinality(String),
    channel Enum8('in_person' = 1, 'online' = 2, 'postal' = 3),
    status UInt8,
    applicant_type Nullable(Enum8('citizen' = 1, 'organisation' = 2)),
    submitted_at Nullable(DateTime64(3, 'Asia/Ho_Chi_Minh')),
    received_at Nullable(DateTime64(3, 'Asia/Ho_Chi_Minh')),
    due_at Nullable(DateTime64(3, 'Asia/Ho_Chi_Minh')),
    finished_at Nullable(DateTime64(3, 'Asia/Ho_Chi_Minh')),
    returned_at Nullable(DateTime64(3, 'Asia/Ho_Chi_Minh')),
    refused_at Nullable(DateTime64(3, 'Asia/Ho_Chi_Minh')),
    has_digitized_components Bool,
    vneid_authenticated Bool,
    paid_online Bool,
    components_count UInt16,
    has_reused_component Bool,
    has_electronic_result Bool,
    applicant_hash Nullable(String),
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    event_id String,
    run_id String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY record_id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.documents
(
    record_id String,
    unit_code LowCardinality(String),
    number String,
    register Enum8('outgoing' = 1, 'incoming' = 2),
    kind LowCardinality(String),
    issued_at Date,
    received_at Nullable(Date),
    form Enum8('electronic' = 1, 'paper' = 2),
    signature Enum8('none' = 0, 'specialised' = 1, 'public' = 2),
    secrecy Enum8('normal' = 0, 'secret' = 1, 'top_secret' = 2, 'absolute_secret' = 3),
    to_state_agencies Bool,
    via_national_axis Bool,
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    event_id String,
    run_id String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY record_id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.work_records
(
    record_id String,
    unit_code LowCardinality(String),
    level Nullable(Enum8('TINH' = 1, 'HUYEN' = 2, 'XA' = 3)),
    opened_at Date,
    closed_at Nullable(Date),
    processed_online Bool,
    secrecy Enum8('normal' = 0, 'secret' = 1, 'top_secret' = 2, 'absolute_secret' = 3),
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    event_id String,
    run_id String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY record_id
SETTINGS non_replicated_deduplication_window = 10000;

-- One row per (unit, procedure, validity start): the catalogue's history, never deleted.
CREATE TABLE IF NOT EXISTS {db}.services
(
    record_id String,
    unit_code LowCardinality(String),
    procedure_code LowCardinality(String),
    procedure_name String,
    level Nullable(Enum8('TINH' = 1, 'HUYEN' = 2, 'XA' = 3)),
    online_level Enum8('none' = 0, 'partial' = 1, 'full' = 2),
    has_fee Bool,
    redesigned Bool,
    valid_from Date,
    valid_to Nullable(Date),
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    event_id String,
    run_id String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY record_id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.payments
(
    record_id String,
    unit_code LowCardinality(String),
    dossier_code Nullable(String),
    procedure_code Nullable(String),
    amount UInt64,
    method Enum8('online' = 1, 'in_person' = 2),
    status Enum8('success' = 1, 'failed' = 2, 'pending' = 3),
    paid_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    event_id String,
    run_id String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY record_id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.ratings
(
    record_id String,
    unit_code LowCardinality(String),
    dossier_code Nullable(String),
    rated_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    level Enum8('very_satisfied' = 1, 'satisfied' = 2, 'unsatisfied' = 3),
    updated_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    event_id String,
    run_id String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY record_id
SETTINGS non_replicated_deduplication_window = 10000;

-- The (entity, unit, day) pairs a sink batch touched: the day each indicator counts the record on
-- (dossiers: received and finished day; documents: issued; work records: opened; services: valid_from;
-- payments: paid; ratings: rated). The nightly run recomputes every day touched since its last run.
CREATE TABLE IF NOT EXISTS {db}.touched_days
(
    entity LowCardinality(String),
    unit_code LowCardinality(String),
    day Date,
    touched_at DateTime64(3, 'Asia/Ho_Chi_Minh'),
    batch String
)
ENGINE = ReplacingMergeTree(touched_at)
ORDER BY (entity, unit_code, day, batch)
SETTINGS non_replicated_deduplication_window = 10000;
