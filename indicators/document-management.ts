// Document-management indicators (INDICATORS.md): flows over outgoing documents (issued day) and
// work records (opened day). Secret records (mat, toi mat, tuyet mat) are dropped before anything
// is counted, so they are in neither numerator nor denominator.
import { flowAgg, insertValues } from './rollup.ts';

export const DOCUMENT_MANAGEMENT_INDICATORS = ['outgoing_signed', 'documents_electronic', 'work_records_online'] as const;

function factsSql(db: string): string {
  return `SELECT unit_code, day, t.1 AS indicator, toFloat64(t.2) AS num, toFloat64(t.3) AS den
    FROM (
      SELECT unit_code, issued_at AS day, [
        ('outgoing_signed', countIf(form = 'electronic' AND signature = 'specialised'), count()),
        ('documents_electronic', countIf(to_state_agencies AND form = 'electronic'), countIf(to_state_agencies))
      ] AS arr
      FROM ${db}.documents FINAL
      WHERE secrecy = 'normal' AND register = 'outgoing' AND issued_at BETWEEN {lo:Date} AND {hi:Date}
      GROUP BY unit_code, day
      UNION ALL
      SELECT unit_code, opened_at AS day, [('work_records_online', countIf(processed_online), count())] AS arr
      FROM ${db}.work_records FINAL
      WHERE secrecy = 'normal' AND opened_at BETWEEN {lo:Date} AND {hi:Date}
      GROUP BY unit_code, day
    )
    ARRAY JOIN arr AS t`;
}

export function documentManagementSql(db: string): string {
  return insertValues(db, DOCUMENT_MANAGEMENT_INDICATORS, [flowAgg(db, factsSql(db))]);
}
