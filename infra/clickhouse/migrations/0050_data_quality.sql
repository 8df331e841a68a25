-- Data quality per source, entity and day (docs/corrections.md): one row per (source, entity, day,
-- metric, reason) with its count n, computed at query time from the ledger, the rejects, raw_events
-- and the latest state. Metrics:
--   read, accepted, rejected   the runs started that day (ingest_runs)
--   rejected_reason            rejects written that day, reason = field and reason up to its first ':'
--   unknown_unit               events ingested that day naming a unit code the units table does not know
--   missing_dates              dossiers last updated that day, received (status not 1 or 3) without received_at,
--                              or with status 10 (resolved) without finished_at
--   late                       events ingested more than 7 days after the first day they count on
--   correction                 events ingested that day for a record that had an earlier event
CREATE VIEW IF NOT EXISTS {db}.v_data_quality AS
SELECT source, entity, day, metric, reason, toUInt64(n) AS n FROM
(
    SELECT source, entity, toDate(started_at) AS day, m.1 AS metric, '' AS reason, m.2 AS n
    FROM (
        SELECT source, entity, started_at,
            [('read', toUInt64(read)), ('accepted', toUInt64(accepted)), ('rejected', toUInt64(rejected))] AS arr
        FROM {db}.ingest_runs FINAL WHERE replay_of = ''
    )
    ARRAY JOIN arr AS m

    UNION ALL
    SELECT source, entity, toDate(rejected_at) AS day, 'rejected_reason' AS metric,
        concat(field, if(field = '', '', ': '), splitByChar(':', reason)[1]) AS reason, count() AS n
    FROM {db}.rejects FINAL
    GROUP BY source, entity, day, reason

    UNION ALL
    SELECT source, entity, toDate(ingested_at) AS day, 'unknown_unit' AS metric, toString(unit_code) AS reason, count() AS n
    FROM {db}.raw_events
    WHERE unit_code NOT IN (SELECT code FROM {db}.units)
    GROUP BY source, entity, day, reason

    UNION ALL
    SELECT 'one-stop-shop' AS source, 'dossiers' AS entity, toDate(updated_at) AS day, 'missing_dates' AS metric,
        if(received_at IS NULL, 'received_at', 'finished_at') AS reason, count() AS n
    FROM {db}.dossiers FINAL
    WHERE (status NOT IN (1, 3) AND received_at IS NULL) OR (status = 10 AND finished_at IS NULL)
    GROUP BY day, reason

    UNION ALL
    SELECT source, entity, toDate(ingested_at) AS day, 'late' AS metric, '' AS reason, count() AS n
    FROM (
        SELECT source, entity, ingested_at,
            toDate(parseDateTime64BestEffortOrNull(multiIf(
                entity = 'dossiers', JSONExtractString(payload, 'received_at'),
                entity = 'documents', JSONExtractString(payload, 'issued_at'),
                entity = 'work-records', JSONExtractString(payload, 'opened_at'),
                entity = 'payments', JSONExtractString(payload, 'paid_at'),
                entity = 'ratings', JSONExtractString(payload, 'rated_at'),
                ''), 3, 'Asia/Ho_Chi_Minh')) AS counted_on
        FROM {db}.raw_events
    )
    WHERE counted_on IS NOT NULL AND toDate(ingested_at) > counted_on + 7
    GROUP BY source, entity, day

    UNION ALL
    SELECT source, entity, toDate(ingested_at) AS day, 'correction' AS metric, '' AS reason, count() AS n
    FROM (
        SELECT source, entity, ingested_at, min(ingested_at) OVER (PARTITION BY source, entity, record_id) AS first_at
        FROM {db}.raw_events
    )
    WHERE ingested_at > first_at
    GROUP BY source, entity, day
);
