// Document-management registers (outgoing and incoming documents) to the canonical document event.
// The subject (TrichYeu) may name people and is dropped.
import { DOCUMENT_FORM, REGISTER, SECRECY, SIGNATURE } from '../common/codes.ts';
import { FieldReader, type FieldSpec } from '../common/fields.ts';
import { type EntityMapper, finish, type MapInput, UPDATED } from '../common/mapper.ts';

const F = {
  id: { name: 'MaVanBan', aliases: ['Ma van ban'] },
  number: { name: 'SoKyHieu', aliases: ['So ky hieu', 'So, ky hieu'] },
  register: { name: 'LoaiSo', aliases: ['So van ban', 'Loai so', 'So'] },
  kind: { name: 'LoaiVanBan', aliases: ['Loai van ban'] },
  unit: { name: 'MaDonVi', aliases: ['Don vi', 'Ma don vi'] },
  issued: { name: 'NgayBanHanh', aliases: ['Ngay ban hanh', 'Ngay van ban'] },
  received: { name: 'NgayDen', aliases: ['Ngay den'] },
  form: { name: 'HinhThuc', aliases: ['Hinh thuc'] },
  signature: { name: 'KySo', aliases: ['Ky so'] },
  secrecy: { name: 'DoMat', aliases: ['Do mat'] },
  toState: { name: 'NoiNhanLaCQNN', aliases: ['Gui co quan nha nuoc'] },
  axis: { name: 'QuaTrucLienThong', aliases: ['Qua truc lien thong'] },
} as const satisfies Record<string, FieldSpec>;

function map(input: MapInput) {
  const r = new FieldReader(input.fields);
  const id = r.id(F.id, { required: true });
  const unit = r.id(F.unit, { required: true });
  const register = r.code(F.register, REGISTER, { required: true });
  const issued = r.day(F.issued, { required: true });
  const received = r.day(F.received) ?? null;
  const form = r.code(F.form, DOCUMENT_FORM, { required: true });
  const signature = r.codeOr(F.signature, SIGNATURE, 'none');
  const secrecy = r.codeOr(F.secrecy, SECRECY, 'normal');
  const toState = r.flag(F.toState);
  const axis = r.flag(F.axis);
  return finish(r, input, mapper, () => ({
    recordId: id ?? '',
    unitCode: unit ?? '',
    data: {
      number: r.text(F.number) ?? '',
      register,
      kind: r.text(F.kind) ?? '',
      issued_at: issued,
      received_at: received,
      form,
      signature,
      secrecy,
      to_state_agencies: toState,
      via_national_axis: axis,
    },
  }));
}

export const mapper: EntityMapper = {
  source: 'document-management',
  entity: 'documents',
  fields: [...Object.values(F), UPDATED],
  map,
};
