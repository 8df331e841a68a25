// Stored monthly reports: written by the monthly workflow's activity, listed and served by the API.
import { select, type Store } from '../../infra/clickhouse/store.ts';

export type ReportFormat = 'xlsx' | 'csv';

export async function saveReport(store: Store, r: { unit: string; month: string; format: ReportFormat; content: Buffer; rows: number }): Promise<void> {
  await store.client.insert({
    table: `${store.db}.reports`,
    format: 'JSONEachRow',
    values: [{ unit_code: r.unit, month: `${r.month}-01`, format: r.format, content_base64: r.content.toString('base64'), rows: r.rows, generated_at: new Date().toISOString().replace('T', ' ').replace('Z', '') }],
  });
}

export async function loadReport(store: Store, unit: string, month: string, format: ReportFormat): Promise<Buffer | undefined> {
  const [row] = await select<{ c: string }>(
    store,
    `SELECT argMax(content_base64, generated_at) AS c FROM ${store.db}.reports WHERE unit_code = {unit:String} AND month = {month:Date} AND format = {format:String} GROUP BY unit_code`,
    { unit, month: `${month}-01`, format },
  );
  return row ? Buffer.from(row.c, 'base64') : undefined;
}

export interface StoredReport {
  unit: string;
  month: string;
  formats: string[];
  generated_at: string;
}

export async function listReports(store: Store, units: string[] | undefined): Promise<StoredReport[]> {
  return select<StoredReport>(
    store,
    `SELECT unit_code AS unit, formatDateTime(month, '%Y-%m') AS month, groupArray(toString(format)) AS formats, toString(max(generated_at)) AS generated_at
     FROM (SELECT unit_code, month, format, max(generated_at) AS generated_at FROM ${store.db}.reports GROUP BY unit_code, month, format)
     WHERE {all:Bool} OR unit_code IN {units:Array(String)}
     GROUP BY unit_code, month ORDER BY month DESC, unit_code LIMIT 1000`,
    { all: units === undefined, units: units ?? [] },
  );
}
