-- The read-only ClickHouse user for IOC screens that read the store directly (Grafana, Superset):
-- it sees only the IOC views of the `chiso` database, read-only, with bounded queries.
--
-- Server mode only (chDB has no users). Run once as an administrator with access management, after
-- `chiso` has applied its migrations, replacing the password first:
--   sed "s/CHANGE_ME_IOC_PASSWORD/$IOC_READER_PASSWORD/" infra/clickhouse/server/readonly-user.sql \
--     | clickhouse-client --host clickhouse --user default --password "$CLICKHOUSE_PASSWORD" --multiquery
-- Re-running it is harmless. If CLICKHOUSE_DATABASE is not `chiso`, replace `chiso.` below too.

-- The views run with their definer's rights, so the reader needs no grant on the tables beneath
-- them (ClickHouse's default for normal views is INVOKER, which would need table grants).
ALTER TABLE chiso.v_indicator_values MODIFY SQL SECURITY DEFINER DEFINER = CURRENT_USER;
ALTER TABLE chiso.v_scorecard MODIFY SQL SECURITY DEFINER DEFINER = CURRENT_USER;

CREATE SETTINGS PROFILE IF NOT EXISTS chiso_ioc_readonly
    SETTINGS readonly = 1 CONST, max_execution_time = 30, max_result_rows = 1000000, max_memory_usage = 2000000000;

CREATE ROLE IF NOT EXISTS chiso_ioc_reader;
REVOKE ALL ON *.* FROM chiso_ioc_reader;
GRANT SELECT ON chiso.v_indicator_values TO chiso_ioc_reader;
GRANT SELECT ON chiso.v_scorecard TO chiso_ioc_reader;

CREATE USER IF NOT EXISTS ioc_reader
    IDENTIFIED WITH sha256_password BY 'CHANGE_ME_IOC_PASSWORD'
    DEFAULT ROLE chiso_ioc_reader
    DEFAULT DATABASE chiso
    SETTINGS PROFILE 'chiso_ioc_readonly';
GRANT chiso_ioc_reader TO ioc_reader;
ALTER USER ioc_reader DEFAULT ROLE chiso_ioc_reader;
