// Public-service-portal catalogue rows (one online public service per unit and validity period) to
// the canonical service event; record id = unit/procedure/valid-from, so a new period is a new record.
import { ONLINE_LEVEL, UNIT_LEVEL } from '../common/codes.ts';
import { FieldReader, type FieldSpec } from '../common/fields.ts';
import { type EntityMapper, finish, type MapInput, UPDATED } from '../common/mapper.ts';

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
} as const satisfies Record<string, FieldSpec>;

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
    },
  }));
}

export const mapper: EntityMapper = {
  source: 'public-service-portal',
  entity: 'services',
  fields: [...Object.values(F), UPDATED],
  map,
};
