// One-stop-shop indicators (INDICATORS.md): flows over dossiers, counted on the day of received_at
// (received dossiers: status neither 1 nor 3) or of finished_at (resolved dossiers). A dossier's
// online-service level is the catalogue entry of its unit and procedure valid on its received day.
import { dayOf, flowAgg, insertValues } from './rollup.ts';

export const ONE_STOP_SHOP_INDICATORS = [
  'dossier_online',
  'dossier_fully_online',
  'dossier_partially_online',
  'dossier_digitized',
  'result_electronic',
  'document_reuse',
  'resolved_on_time',
  'online_vneid',
] as const;

/**
 * One row per dossier event in [lo, hi]: ev = 1 on its received day, ev = 2 on its finished day,
 * with the flags the formulas need. Shared with the portal family (distinct online services).
 */
export function dossierEventsSql(db: string): string {
  return `SELECT d.record_id AS record_id, d.unit_code AS unit_code, d.procedure_code AS procedure_code, e.1 AS ev, e.2 AS day,
      d.online AS online, d.svc_level AS svc_level, d.digitized AS digitized, d.reused AS reused, d.vneid AS vneid,
      d.eresult AS eresult, d.on_time AS on_time
    FROM (
      SELECT x.record_id AS record_id, x.unit_code AS unit_code, x.procedure_code AS procedure_code,
        x.received AS received, x.rday AS rday, x.resolved AS resolved, x.fday AS fday,
        x.online AS online, x.digitized AS digitized, x.reused AS reused, x.vneid AS vneid, x.eresult AS eresult, x.on_time AS on_time,
        -- ASOF: the latest catalogue entry starting on or before the received day; it must not have ended.
        if(s.procedure_code != '' AND x.rday <= s.valid_to, toString(s.online_level), 'none') AS svc_level
      FROM (
        SELECT record_id, unit_code, procedure_code,
          status NOT IN (1, 3) AND received_at IS NOT NULL AS received,
          ifNull(${dayOf('received_at')}, toDate(0)) AS rday,
          finished_at IS NOT NULL AS resolved,
          ifNull(${dayOf('finished_at')}, toDate(0)) AS fday,
          channel = 'online' AS online,
          has_digitized_components AS digitized, has_reused_component AS reused, vneid_authenticated AS vneid,
          has_electronic_result AS eresult,
          due_at IS NULL OR finished_at <= due_at AS on_time
        FROM ${db}.dossiers FINAL
        WHERE (received AND rday BETWEEN {lo:Date} AND {hi:Date}) OR (resolved AND fday BETWEEN {lo:Date} AND {hi:Date})
      ) AS x
      ASOF LEFT JOIN (
        SELECT unit_code, procedure_code, valid_from, ifNull(valid_to, toDate('2149-06-06')) AS valid_to, online_level
        FROM ${db}.services FINAL
      ) AS s ON s.unit_code = x.unit_code AND s.procedure_code = x.procedure_code AND x.rday >= s.valid_from
    ) AS d
    ARRAY JOIN [(1, if(d.received, d.rday, toDate(0))), (2, if(d.resolved, d.fday, toDate(0)))] AS e
    WHERE e.2 BETWEEN {lo:Date} AND {hi:Date}`;
}

/** (unit_code, day, indicator, num, den) per unit and day. */
function factsSql(db: string): string {
  return `SELECT unit_code, day, t.1 AS indicator, toFloat64(t.2) AS num, toFloat64(t.3) AS den
    FROM (
      SELECT unit_code, day, [
        ('dossier_online', countIf(ev = 1 AND online), countIf(ev = 1)),
        ('dossier_fully_online', countIf(ev = 1 AND online AND svc_level = 'full'), countIf(ev = 1 AND svc_level IN ('full', 'partial'))),
        ('dossier_partially_online', countIf(ev = 1 AND online AND svc_level = 'partial'), countIf(ev = 1 AND svc_level IN ('full', 'partial'))),
        ('dossier_digitized', countIf(ev = 1 AND digitized), countIf(ev = 1)),
        ('result_electronic', countIf(ev = 2 AND eresult), countIf(ev = 2)),
        ('document_reuse', countIf(ev = 1 AND reused), countIf(ev = 1)),
        ('resolved_on_time', countIf(ev = 2 AND on_time), countIf(ev = 2)),
        ('online_vneid', countIf(ev = 1 AND online AND vneid), countIf(ev = 1 AND online))
      ] AS arr
      FROM (${dossierEventsSql(db)})
      GROUP BY unit_code, day
    )
    ARRAY JOIN arr AS t`;
}

export function oneStopShopSql(db: string): string {
  return insertValues(db, ONE_STOP_SHOP_INDICATORS, [flowAgg(db, factsSql(db))]);
}
