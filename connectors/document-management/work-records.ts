// Document-management work records (ho so cong viec) to the canonical work-record event. The title
// (TieuDe) may name people and is dropped.
import { SECRECY, UNIT_LEVEL } from '../common/codes.ts';
import { FieldReader, type FieldSpec } from '../common/fields.ts';
import { type EntityMapper, finish, type MapInput, UPDATED } from '../common/mapper.ts';

const F = {
  id: { name: 'MaHoSoCongViec', aliases: ['Ma ho so cong viec', 'Ma HSCV'] },
  unit: { name: 'MaDonVi', aliases: ['Don vi', 'Ma don vi'] },
  level: { name: 'CapDonVi', aliases: ['Cap', 'Cap don vi'] },
  opened: { name: 'NgayMo', aliases: ['Ngay mo', 'Ngay mo ho so'] },
  closed: { name: 'NgayDong', aliases: ['Ngay dong', 'Ngay dong ho so'] },
  online: { name: 'XuLyTrenMoiTruongMang', aliases: ['Xu ly tren moi truong mang'] },
  secrecy: { name: 'DoMat', aliases: ['Do mat'] },
} as const satisfies Record<string, FieldSpec>;

function map(input: MapInput) {
  const r = new FieldReader(input.fields);
  const id = r.id(F.id, { required: true });
  const unit = r.id(F.unit, { required: true });
  const level = r.code(F.level, UNIT_LEVEL) ?? null;
  const opened = r.day(F.opened, { required: true });
  const closed = r.day(F.closed) ?? null;
  if (opened && closed && closed < opened) r.fail(F.closed, `before NgayMo (${closed} < ${opened})`);
  const online = r.flag(F.online);
  const secrecy = r.codeOr(F.secrecy, SECRECY, 'normal');
  return finish(r, input, mapper, () => ({
    recordId: id ?? '',
    unitCode: unit ?? '',
    data: { level, opened_at: opened, closed_at: closed, processed_online: online, secrecy },
  }));
}

export const mapper: EntityMapper = {
  source: 'document-management',
  entity: 'work-records',
  fields: [...Object.values(F), UPDATED],
  map,
};
