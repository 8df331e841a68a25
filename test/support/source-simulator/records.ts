// The simulator's data: export files of a folder loaded per entity, each record with the update
// time the API filters on (SOURCES.md: from/to filter on the record's last update time).
// Deliberately independent of the connectors' parsers: a test oracle must not share the code it tests.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ENTITIES, type EntityName, SOURCES } from '../../../schemas/events.ts';
import type { Logger } from '../../../lib/logger.ts';

export const SIMULATED_ENTITIES: readonly EntityName[] = SOURCES.flatMap((s) => [...ENTITIES[s]]);

export interface ServedRecord {
  record: unknown;
  /** UTC ms of the last update; undefined when the record has no readable one. */
  updatedAt: number | undefined;
}

/** Which fields carry a record's update time: NgayCapNhat first, else the latest of the others. */
const UPDATE_FIELDS: Record<EntityName, readonly string[]> = {
  dossiers: ['NgayTra', 'NgayKetThucXuLy', 'NgayTuChoi', 'NgayTiepNhan', 'NgayNopHoSo'],
  documents: ['NgayDen', 'NgayBanHanh'],
  'work-records': ['NgayDong', 'NgayMo'],
  services: ['HieuLucTu'],
  payments: ['ThoiGian'],
  ratings: ['ThoiGian'],
};

const HCM = 7 * 3600_000;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/;
const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** UTC ms of a source date (yyyyMMddHHmmss, dd/MM/yyyy[ HH:mm[:ss]], ISO 8601); local times are +07:00. */
export function sourceTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const s = v.trim();
  const wall = (y: string, mo: string, d: string, h = '0', mi = '0', se = '0') => {
    const t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +se);
    return new Date(t).getUTCDate() === +d ? t - HCM : undefined;
  };
  let m = COMPACT.exec(s);
  if (m) return wall(m[1]!, m[2]!, m[3]!, m[4], m[5], m[6]);
  m = DMY.exec(s);
  if (m) return wall(m[3]!, m[2]!, m[1]!, m[4], m[5], m[6]);
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(s);
    const t = Date.parse(hasZone ? s : `${s.length === 10 ? `${s}T00:00:00` : s.replace(' ', 'T')}+07:00`);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export function updateTimeOf(entity: EntityName, record: unknown): number | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const r = record as Record<string, unknown>;
  const fields = (entity === 'dossiers' && typeof r.hoSo === 'object' && r.hoSo !== null ? r.hoSo : r) as Record<string, unknown>;
  const explicit = sourceTime(fields.NgayCapNhat);
  if (explicit !== undefined) return explicit;
  const times = UPDATE_FIELDS[entity].map((f) => sourceTime(fields[f])).filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** An export file belongs to an entity when its name is `<entity>.<ext>` or `<entity>-<anything>.<ext>`. */
function entityOfFile(name: string): EntityName | undefined {
  if (!/\.(ndjson|jsonl|json)$/i.test(name)) return undefined;
  const stem = name.replace(/\.(ndjson|jsonl|json)$/i, '');
  return SIMULATED_ENTITIES.find((e) => stem === e || stem.startsWith(`${e}-`));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...(await filesUnder(p)));
    else if (d.isFile()) out.push(p);
  }
  return out.sort();
}

function recordsOfText(path: string, text: string, log: Logger): unknown[] {
  const body = text.replace(/^\uFEFF/, '');
  if (/\.json$/i.test(path)) {
    const parsed = JSON.parse(body) as unknown;
    if (Array.isArray(parsed)) return parsed;
    if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { data?: unknown }).data)) return (parsed as { data: unknown[] }).data;
    log.warn({ path }, 'JSON export is neither an array nor { data: [...] }: skipped');
    return [];
  }
  const out: unknown[] = [];
  body.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line));
    } catch {
      // The API can only serve JSON values: a broken line of an export file is left out, loudly.
      log.warn({ path, line: i + 1 }, 'unparseable NDJSON line left out of the simulated API');
    }
  });
  return out;
}

/** Loads every export file under dir, grouped by entity, sorted by update time (unknown first) for stable paging. */
export async function loadExports(dir: string, log: Logger): Promise<Map<EntityName, ServedRecord[]>> {
  const byEntity = new Map<EntityName, ServedRecord[]>(SIMULATED_ENTITIES.map((e) => [e, []]));
  for (const path of await filesUnder(dir)) {
    const entity = entityOfFile(basename(path));
    if (!entity) continue;
    const list = byEntity.get(entity)!;
    for (const record of recordsOfText(path, await readFile(path, 'utf8'), log)) list.push({ record, updatedAt: updateTimeOf(entity, record) });
  }
  for (const list of byEntity.values()) list.sort((a, b) => (a.updatedAt ?? -Infinity) - (b.updatedAt ?? -Infinity));
  return byEntity;
}

/**
 * The records of a window [from, to). A record without a readable update time cannot be placed in
 * a window: it is served only by requests without `from` (a first, full export), once.
 */
export function inWindow(records: readonly ServedRecord[], from: number | undefined, to: number | undefined): ServedRecord[] {
  return records.filter((r) => {
    if (r.updatedAt === undefined) return from === undefined;
    return (from === undefined || r.updatedAt >= from) && (to === undefined || r.updatedAt < to);
  });
}
