-- The SQL endpoint (`chiso query`, services/ioc-api/readonly-sql/): its audit log, and raw_events'
-- keys without their payload (the one view of raw_events it may read).

-- One row per query asked, answered or not: which token (its label, never the token), the SHA-256
-- of the SQL text (never the text), how long, how many rows and bytes, and why it was refused.
CREATE TABLE IF NOT EXISTS {db}.query_audit
(
    at DateTime64(3, 'Asia/Ho_Chi_Minh') DEFAULT now64(3),
    client LowCardinality(String),
    sql_sha256 String,
    sql_bytes UInt32,
    outcome Enum8('answered' = 1, 'refused' = 2, 'failed' = 3, 'busy' = 4),
    reason String,
    duration_ms UInt32,
    rows Nullable(UInt64),
    result_bytes UInt64
)
ENGINE = MergeTree()
ORDER BY at;

-- raw_events without payload (a source record's whole original text): enough to count events per
-- run, find doubled event ids or see where a record came from (topic, partition, offset).
CREATE VIEW IF NOT EXISTS {db}.v_raw_event_keys AS
SELECT event_id, source, entity, record_id, unit_code, updated_at, run_id, origin, topic, partition, offset, ingested_at
FROM {db}.raw_events;
