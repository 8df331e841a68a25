// Public-service-portal indicators (INDICATORS.md): the catalogue as a stock (entries valid on the
// period's as-of day), distinct procedures with online dossiers / online payments, and the flows
// of payments and ratings. A payment or rating counts for the unit of its dossier when the dossier
// is known, else for the unit that recorded it.
import { dossierEventsSql } from './one-stop-shop.ts';
import { dayOf, distinctAgg, flowAgg, insertValues, PERIODS_SQL, stockAgg } from './rollup.ts';

export const PUBLIC_SERVICE_PORTAL_INDICATORS = [
  'service_fully_online',
  'service_with_online_dossiers',
  'service_redesigned',
  'payment_online',
  'procedure_fee_online',
  'satisfaction',
] as const;

/** The dossiers a set of payments or ratings point at (bounded by the window, not the whole table). */
function dossierUnitsSql(db: string, table: 'payments' | 'ratings', timeCol: string): string {
  return `SELECT record_id, unit_code, procedure_code FROM ${db}.dossiers FINAL
    WHERE record_id IN (SELECT dossier_code FROM ${db}.${table} WHERE dossier_code IS NOT NULL AND ${dayOf(timeCol)} BETWEEN {lo:Date} AND {hi:Date})`;
}

function paymentsSql(db: string): string {
  return `SELECT if(d.record_id != '', d.unit_code, p.unit_code) AS unit_code, p.day AS day,
      ifNull(nullIf(p.procedure_code, ''), d.procedure_code) AS procedure_code,
      p.method = 'online' AS online
    FROM (
      SELECT unit_code, dossier_code, ifNull(procedure_code, '') AS procedure_code, method, ${dayOf('paid_at')} AS day
      FROM ${db}.payments FINAL
      WHERE status = 'success' AND day BETWEEN {lo:Date} AND {hi:Date}
    ) AS p
    LEFT JOIN (${dossierUnitsSql(db, 'payments', 'paid_at')}) AS d ON d.record_id = p.dossier_code`;
}

function flowFactsSql(db: string): string {
  return `SELECT unit_code, day, 'payment_online' AS indicator, toFloat64(countIf(online)) AS num, toFloat64(count()) AS den
    FROM (${paymentsSql(db)}) GROUP BY unit_code, day
    UNION ALL
    SELECT if(d.record_id != '', d.unit_code, r.unit_code) AS unit_code, r.day AS day, 'satisfaction' AS indicator,
      toFloat64(countIf(r.level IN ('very_satisfied', 'satisfied'))) AS num, toFloat64(count()) AS den
    FROM (
      SELECT unit_code, dossier_code, level, ${dayOf('rated_at')} AS day FROM ${db}.ratings FINAL
      WHERE day BETWEEN {lo:Date} AND {hi:Date}
    ) AS r
    LEFT JOIN (${dossierUnitsSql(db, 'ratings', 'rated_at')}) AS d ON d.record_id = r.dossier_code
    GROUP BY unit_code, day`;
}

function distinctFactsSql(db: string): string {
  return `SELECT unit_code, day, 'service_with_online_dossiers' AS indicator, procedure_code AS key, toUInt8(max(online)) AS in_num, toUInt8(1) AS in_den
    FROM (${dossierEventsSql(db)})
    WHERE ev = 1 AND svc_level IN ('full', 'partial')
    GROUP BY unit_code, day, key
    UNION ALL
    SELECT unit_code, day, 'procedure_fee_online' AS indicator, procedure_code AS key, toUInt8(max(online)) AS in_num, toUInt8(1) AS in_den
    FROM (${paymentsSql(db)})
    WHERE procedure_code != ''
    GROUP BY unit_code, day, key`;
}

/** Catalogue entries valid on each period's as-of day, per unit. */
function stockFactsSql(db: string): string {
  return `SELECT c.unit_code AS unit_code, c.period AS period, c.period_start AS period_start, c.as_of AS as_of,
      t.1 AS indicator, toFloat64(t.2) AS num, toFloat64(t.3) AS den
    FROM (
      SELECT s.unit_code AS unit_code, p.period AS period, p.period_start AS period_start, p.as_of AS as_of, [
        ('service_fully_online', countIf(s.online_level = 'full'), countIf(s.online_level != 'none')),
        ('service_redesigned', countIf(s.online_level != 'none' AND s.redesigned), countIf(s.online_level != 'none'))
      ] AS arr
      FROM (SELECT unit_code, online_level, redesigned, valid_from, ifNull(valid_to, toDate('2149-06-06')) AS valid_to FROM ${db}.services FINAL) AS s
      CROSS JOIN (${PERIODS_SQL}) AS p
      WHERE p.as_of BETWEEN s.valid_from AND s.valid_to
      GROUP BY unit_code, period, period_start, as_of
    ) AS c
    ARRAY JOIN c.arr AS t`;
}

export function publicServicePortalSql(db: string): string {
  return insertValues(db, PUBLIC_SERVICE_PORTAL_INDICATORS, [
    stockAgg(db, stockFactsSql(db)),
    distinctAgg(db, distinctFactsSql(db)),
    flowAgg(db, flowFactsSql(db)),
  ]);
}
