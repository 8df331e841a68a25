// A generated province-year (2025) for the indicator and workflow benchmarks, written by
// INSERT ... SELECT FROM numbers() straight into the latest-state tables: a catalogue of 2,100
// services over seven wards and `dossiers` dossiers, and with `all` also 600k documents, 300k work
// records, 1 million payments and 500k ratings.
import type { Store } from '../infra/clickhouse/store.ts';

const WARDS = ['X0101', 'X0102', 'X0103', 'X0104', 'X0201', 'X0202', 'X0203'];
const W = `['${WARDS.join("','")}']`;
const meta = `toDateTime64('2026-01-01 00:00:00', 3, 'Asia/Ho_Chi_Minh') AS updated_at, '' AS event_id, 'bench' AS run_id`;
// A time in 2025 from a row number, spread over the year's 365 days and the office hours.
const t2025 = (n: string) => `toDateTime64('2025-01-01 07:00:00', 3, 'Asia/Ho_Chi_Minh') + toIntervalSecond((${n} % 365) * 86400 + (${n} * 7919) % 36000)`;

const SERVICE_COLUMNS = 'record_id, unit_code, procedure_code, procedure_name, level, online_level, has_fee, redesigned, valid_from, valid_to, updated_at, event_id, run_id';
const DOSSIER_COLUMNS = [
  'record_id, unit_code, procedure_code, procedure_name, field_code, channel, status, applicant_type',
  'submitted_at, received_at, due_at, finished_at, returned_at, refused_at',
  'has_digitized_components, vneid_authenticated, paid_online, components_count, has_reused_component, has_electronic_result, applicant_hash',
  'updated_at, event_id, run_id',
].join(', ');

export async function generateProvinceYear(store: Store, opts: { dossiers: number; all: boolean }): Promise<void> {
  const db = store.db;
  const run = (query: string) => store.client.command({ query, clickhouse_settings: { wait_end_of_query: 1 } });
  // Column lists name what is given: later migrations add columns (with defaults) at the tables' end.
  await run(`INSERT INTO ${db}.services (${SERVICE_COLUMNS}) SELECT concat('S', toString(number)), ${W}[number % 7 + 1], concat('P', toString(intDiv(number, 7))), '', 'XA',
    [0, 1, 2][number % 3 + 1], number % 2 = 0, number % 5 = 0, toDate('2024-01-01'), NULL, ${meta} FROM numbers(2100)`);
  await run(`INSERT INTO ${db}.dossiers (${DOSSIER_COLUMNS}) SELECT concat('D', toString(number)), ${W}[number % 7 + 1], concat('P', toString(number % 300)), '', '',
    [1, 2, 3][number % 3 + 1], [2, 4, 9, 10, 3, 1][number % 6 + 1], NULL, NULL, ${t2025('number')}, ${t2025('number')} + toIntervalDay(5),
    if(number % 2 = 0, ${t2025('number')} + toIntervalDay(number % 8), NULL), NULL, NULL,
    number % 4 = 0, number % 3 = 0, false, 2, number % 5 = 0, number % 2 = 0, NULL, ${meta} FROM numbers(${opts.dossiers})`);
  if (!opts.all) return;
  await run(`INSERT INTO ${db}.documents SELECT concat('V', toString(number)), ${W}[number % 7 + 1], '', [1, 2][number % 2 + 1], 'CV', toDate(${t2025('number')}), NULL,
    [1, 2][number % 3 % 2 + 1], [0, 1, 2][number % 3 + 1], [0, 0, 0, 1][number % 4 + 1], number % 2 = 0, false, ${meta} FROM numbers(600000)`);
  await run(`INSERT INTO ${db}.work_records SELECT concat('W', toString(number)), ${W}[number % 7 + 1], 'XA', toDate(${t2025('number')}), NULL, number % 3 != 0,
    [0, 0, 0, 1][number % 4 + 1], ${meta} FROM numbers(300000)`);
  await run(`INSERT INTO ${db}.payments SELECT concat('PM', toString(number)), 'H01', concat('D', toString(number * 3)), NULL, 1000, [1, 2][number % 2 + 1],
    [1, 1, 1, 2][number % 4 + 1], ${t2025('number * 3')}, ${meta} FROM numbers(1000000)`);
  await run(`INSERT INTO ${db}.ratings SELECT concat('R', toString(number)), 'T01', concat('D', toString(number * 6)), ${t2025('number * 6')},
    [1, 2, 3][number % 3 + 1], ${meta} FROM numbers(500000)`);
}
