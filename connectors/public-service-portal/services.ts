// Public-service-portal catalogue rows (one online public service per unit and validity period) to
// the canonical service event; record id = unit/procedure/valid-from, so a new period is a new record.
// CoKetQuaGiay and ThoiHanGiaiQuyet (used by the Decision 766 index) are optional: absent or empty is
// null ("not exported"), a value that is not a flag or a whole number of days is a reject.
import { MAX_SERVICE_DAYS } from '../../schemas/events.ts';
import { ONLINE_LEVEL, UNIT_LEVEL } from '../common/codes.ts';
import type { Parsed } from '../common/dates.ts';
import { FieldReader, type FieldSpec } from '../common/fields.ts';
import { type EntityMapper, finish, type MapInput, UPDATED } from '../common/mapper.ts';
import { asText, fold, quote } from '../common/text.ts';
import { parseFlag, parseNumber } from '../common/values.ts';

const F = {
  procedure: { name: 'MaTTHC', aliases: ['Ma thu tuc'] },
  name: { name: 'TenTTHC', aliases: ['Ten thu tuc'] },
  unit: { name: 'MaDonVi', aliases: ['Don vi', 'Ma don vi'] },
  level: { name: 'CapThucHien', aliases: ['Cap thuc hien', 'Cap'] },
  online: { name: 'MucDo', aliases: ['Muc do', 'Muc do DVC', 'Muc do dich vu cong'] },
  fee: { name: 'CoPhiLePhi', aliases: ['Co phi', 'Co phi le phi'] },
  redesigned: { name: 'ThietKeLai', aliases: ['Thiet ke lai'] },
  from: { name: 'HieuLucTu', aliases: ['Hieu luc tu'] },
  to: { name: 'HieuLucDen', aliases: ['Hieu luc den'] },
  paperResult: { name: 'CoKetQuaGiay', aliases: ['Co ket qua giay'] },
  maxDays: { name: 'ThoiHanGiaiQuyet', aliases: ['Thoi han giai quyet', 'Thoi han giai quyet (ngay lam viec)', 'So ngay giai quyet'] },
} as const satisfies Record<string, FieldSpec>;

/**
 * ThoiHanGiaiQuyet: a whole number of working days, 0..MAX_SERVICE_DAYS, possibly followed by its
 * unit ("15", 15, "15 ngày", "15 ngày làm việc"). A fraction ("0,5") or anything else is an error value.
 */
export function parseWorkingDays(v: unknown): Parsed<number> {
  const bad = { ok: false as const, error: `not a whole number of working days ${quote(v)} (expected 0 to ${MAX_SERVICE_DAYS}, e.g. 15 or "15 ngày làm việc")` };
  let n: Parsed<number>;
  if (typeof v === 'number') n = parseNumber(v, { integer: true });
  else {
    const m = /^([\d.,]+)\s*(.*)$/.exec(asText(v));
    const unit = fold(m?.[2] ?? '');
    if (m === null || !['', 'ngay', 'ngay lam viec'].includes(unit)) return bad;
    n = parseNumber(m[1], { integer: true });
  }
  if (!n.ok || !Number.isInteger(n.value) || n.value < 0 || n.value > MAX_SERVICE_DAYS) return bad;
  return n;
}

/** An optional value: null when absent or empty, else parsed (an error is recorded on the reader). */
function optional<T>(r: FieldReader, spec: FieldSpec, parse: (v: unknown) => Parsed<T>): T | null {
  const hit = r.find(spec);
  if (hit === undefined || asText(hit.value) === '') return null;
  const p = parse(hit.value);
  if (p.ok) return p.value;
  r.fail(spec, p.error, hit.key);
  return null;
}

function map(input: MapInput) {
  const r = new FieldReader(input.fields);
  const procedure = r.id(F.procedure, { required: true });
  const unit = r.id(F.unit, { required: true });
  const level = r.code(F.level, UNIT_LEVEL) ?? null;
  const online = r.code(F.online, ONLINE_LEVEL, { required: true });
  const fee = r.flag(F.fee);
  const redesigned = r.flag(F.redesigned);
  const from = r.day(F.from, { required: true });
  const to = r.day(F.to) ?? null;
  const paperResult = optional(r, F.paperResult, parseFlag);
  const maxDays = optional(r, F.maxDays, parseWorkingDays);
  if (from && to && to < from) r.fail(F.to, `before HieuLucTu (${to} < ${from})`);
  // The record id joins unit, procedure and day with '/': a '/' inside either would make two services one.
  for (const [spec, v] of [[F.unit, unit], [F.procedure, procedure]] as const) if (v?.includes('/')) r.fail(spec, `contains '/', which separates the unit, procedure and day in a service's record id`);
  return finish(r, input, mapper, () => ({
    recordId: `${unit}/${procedure}/${from}`,
    unitCode: unit ?? '',
    data: {
      procedure_code: procedure,
      procedure_name: r.text(F.name) ?? '',
      level,
      online_level: online,
      has_fee: fee,
      redesigned,
      valid_from: from,
      valid_to: to,
      has_paper_result: paperResult,
      max_days: maxDays,
    },
  }));
}

export const mapper: EntityMapper = {
  source: 'public-service-portal',
  entity: 'services',
  fields: [...Object.values(F), UPDATED],
  map,
};
