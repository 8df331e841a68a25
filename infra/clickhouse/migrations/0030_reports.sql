-- Stored monthly reports (services/ioc-api/report): the monthly workflow writes each city's and
-- province's report here so that it stays downloadable from the API in every deployment mode.
CREATE TABLE IF NOT EXISTS {db}.reports
(
    unit_code String,
    month Date,
    format Enum8('xlsx' = 1, 'csv' = 2),
    content_base64 String CODEC(ZSTD(3)),
    rows UInt32,
    generated_at DateTime64(3, 'Asia/Ho_Chi_Minh')
)
ENGINE = ReplacingMergeTree(generated_at)
ORDER BY (unit_code, month, format);
