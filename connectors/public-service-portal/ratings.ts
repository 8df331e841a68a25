// Public-service-portal satisfaction ratings (danh gia muc do hai long) to the canonical rating event.
import { SATISFACTION } from '../common/codes.ts';
import { FieldReader, type FieldSpec } from '../common/fields.ts';
import { type EntityMapper, finish, type MapInput, UPDATED } from '../common/mapper.ts';

const F = {
  id: { name: 'MaDanhGia', aliases: ['Ma danh gia'] },
  dossier: { name: 'MaHoSo', aliases: ['Ma ho so'] },
  unit: { name: 'MaDonVi', aliases: ['Don vi', 'Ma don vi'] },
  at: { name: 'ThoiGian', aliases: ['Thoi gian', 'Thoi gian danh gia'] },
  level: { name: 'MucDo', aliases: ['Muc do', 'Muc do hai long'] },
} as const satisfies Record<string, FieldSpec>;

function map(input: MapInput) {
  const r = new FieldReader(input.fields);
  const id = r.id(F.id, { required: true });
  const unit = r.id(F.unit, { required: true });
  const at = r.time(F.at, { required: true });
  const level = r.code(F.level, SATISFACTION, { required: true });
  return finish(r, input, mapper, () => ({
    recordId: id ?? '',
    unitCode: unit ?? '',
    data: { dossier_code: r.id(F.dossier) ?? null, rated_at: at, level },
  }));
}

export const mapper: EntityMapper = {
  source: 'public-service-portal',
  entity: 'ratings',
  fields: [...Object.values(F), UPDATED],
  map,
};
