-- The SQL endpoint's audit log (0015_query_audit.sql) is kept 90 days, then dropped by ClickHouse's
-- TTL: one row per query would otherwise grow without end. MODIFY TTL sets the table's TTL (it never
-- adds a second one), so the statement can run again; rows younger than 90 days are never touched.
-- toDateTime: a TTL is computed on Date or DateTime, and `at` is a DateTime64.
ALTER TABLE {db}.query_audit MODIFY TTL toDateTime(at) + INTERVAL 90 DAY;
