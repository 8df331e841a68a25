// Public-service-portal payments (fees paid online through the national payment platform or in
// person) to the canonical payment event.
import { PAYMENT_METHOD, PAYMENT_STATUS } from '../common/codes.ts';
import { FieldReader, type FieldSpec } from '../common/fields.ts';
import { type EntityMapper, finish, type MapInput, UPDATED } from '../common/mapper.ts';

const F = {
  id: { name: 'MaGiaoDich', aliases: ['Ma giao dich'] },
  dossier: { name: 'MaHoSo', aliases: ['Ma ho so'] },
  procedure: { name: 'MaTTHC', aliases: ['Ma thu tuc'] },
  unit: { name: 'MaDonVi', aliases: ['Don vi', 'Ma don vi'] },
  amount: { name: 'SoTien', aliases: ['So tien'] },
  method: { name: 'HinhThuc', aliases: ['Hinh thuc', 'Hinh thuc thanh toan'] },
  status: { name: 'TrangThai', aliases: ['Trang thai'] },
  at: { name: 'ThoiGian', aliases: ['Thoi gian', 'Thoi gian thanh toan'] },
} as const satisfies Record<string, FieldSpec>;

function map(input: MapInput) {
  const r = new FieldReader(input.fields);
  const id = r.id(F.id, { required: true });
  const unit = r.id(F.unit, { required: true });
  const amount = r.amount(F.amount, { required: true });
  const method = r.code(F.method, PAYMENT_METHOD, { required: true });
  const status = r.code(F.status, PAYMENT_STATUS, { required: true });
  const at = r.time(F.at, { required: true });
  return finish(r, input, mapper, () => ({
    recordId: id ?? '',
    unitCode: unit ?? '',
    data: {
      dossier_code: r.id(F.dossier) ?? null,
      procedure_code: r.id(F.procedure) ?? null,
      amount,
      method,
      status,
      paid_at: at,
    },
  }));
}

export const mapper: EntityMapper = {
  source: 'public-service-portal',
  entity: 'payments',
  fields: [...Object.values(F), UPDATED],
  map,
};
