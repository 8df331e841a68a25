// One-stop-shop dossiers (HoSoDongBoDVC with its processing history, or a "Danh sach ho so" row) to
// the canonical dossier event. The applicant's id number becomes a keyed hash; names, phones, e-mails
// and the handlers in tienTrinhDongBo are dropped. The lists (history, components, fees, results)
// are read in history.ts, which says what is kept of each.
import { APPLICANT_TYPE, CHANNEL, DOSSIER_STATUS } from '../common/codes.ts';
import { toInstant } from '../common/dates.ts';
import { FieldReader, type FieldSpec } from '../common/fields.ts';
import { type EntityMapper, finish, type MapInput, UPDATED } from '../common/mapper.ts';
import { asText } from '../common/text.ts';
import { parseOnlinePayment } from '../common/values.ts';
import { componentFlags, hasFee, listOf, type Listed, MAX_LIST, objects, readSteps } from './history.ts';

const F = {
  code: { name: 'MaHoSo', aliases: ['Ma ho so', 'So ho so'] },
  procedure: { name: 'MaTTHC', aliases: ['Ma thu tuc'] },
  procedureName: { name: 'TenTTHC', aliases: ['Ten thu tuc'] },
  field: { name: 'MaLinhVuc', aliases: ['Linh vuc', 'Ma linh vuc'] },
  unit: { name: 'DonViXuLy', aliases: ['Don vi tiep nhan', 'Ma don vi', 'Don vi', 'MaDonVi'] },
  channel: { name: 'KenhThucHien', aliases: ['Kenh nop', 'Kenh thuc hien', 'Hinh thuc nop'] },
  submitted: { name: 'NgayNopHoSo', aliases: ['Ngay nop', 'Ngay nop ho so'] },
  received: { name: 'NgayTiepNhan', aliases: ['Ngay tiep nhan'] },
  due: { name: 'NgayHenTra', aliases: ['Han xu ly', 'Ngay hen tra'] },
  finished: { name: 'NgayKetThucXuLy', aliases: ['Ngay ket thuc xu ly'] },
  returned: { name: 'NgayTra', aliases: ['Ngay tra ket qua', 'Ngay tra'] },
  refused: { name: 'NgayTuChoi', aliases: ['Ngay tu choi'] },
  status: { name: 'TrangThaiHoSo', aliases: ['TrangThaiHoSoId', 'Trang thai', 'Trang thai ho so'] },
  applicantType: { name: 'LoaiDoiTuong', aliases: ['Loai doi tuong'] },
  digitised: { name: 'HoSoCoThanhPhanSoHoa', aliases: ['HoSoCoThanhPhanSoHo', 'So hoa'] },
  vneid: { name: 'TaiKhoanDuocXacThucVoiVNeID', aliases: ['Xac thuc VNeID'] },
  paidOnline: { name: 'DuocThanhToanTrucTuyen', aliases: ['Thanh toan truc tuyen'] },
  electronicResult: { name: 'KetQuaDienTu', aliases: ['Ket qua dien tu'] },
  components: { name: 'TaiLieuNop' },
  results: { name: 'DanhSachGiayToKetQua' },
  fees: { name: 'DanhSachLePhi' },
  history: { name: 'tienTrinhDongBo' },
  applicantId: { name: 'SoGiayToChuHoSo', aliases: ['So giay to', 'SoDinhDanh', 'So dinh danh'] },
  applicantIds: { name: 'DinhDanhCHS' },
} as const satisfies Record<string, FieldSpec>;

/** An array field: a JSON array, or its text in a spreadsheet cell; anything else is none. */
function list(v: unknown): Record<string, unknown>[] {
  let x = v;
  if (typeof x === 'string' && x.trim().startsWith('[')) {
    try {
      x = JSON.parse(x);
    } catch {
      return [];
    }
  }
  return Array.isArray(x) ? x.filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object') : [];
}

/** The value of a list read in history.ts, or undefined with its problem recorded as the record's. */
function checked<T>(r: FieldReader, l: Listed<T>): T | undefined {
  if (l.ok) return l.value;
  r.error ??= l.problem;
  return undefined;
}

/** The hoSo object of `{ hoSo, tienTrinhDongBo }`, or the record itself (bare hoSo, spreadsheet row). */
function hoSoOf(fields: Record<string, unknown>): Record<string, unknown> {
  const h = fields.hoSo ?? fields.HoSo;
  return h !== null && typeof h === 'object' && !Array.isArray(h) ? (h as Record<string, unknown>) : fields;
}

function map(input: MapInput) {
  const hoSo = hoSoOf(input.fields);
  const r = new FieldReader(hoSo);
  const code = r.id(F.code, { required: true });
  const procedure = r.id(F.procedure, { required: true });
  const unit = r.id(F.unit, { required: true });
  const status = r.code(F.status, DOSSIER_STATUS, { required: true });
  const channel = r.code(F.channel, CHANNEL, { required: true });
  const applicantType = r.code(F.applicantType, APPLICANT_TYPE) ?? null;
  const submitted = r.time(F.submitted) ?? null;
  // A dossier only registered (1) or refused at the counter (3) has no reception time.
  const receivedRequired = status !== undefined && status !== '1' && status !== '3';
  const received = r.time(F.received, { required: receivedRequired }) ?? null;
  const due = r.time(F.due) ?? null;
  const finished = r.time(F.finished) ?? null;
  const returned = r.time(F.returned) ?? null;
  const refused = r.time(F.refused) ?? null;
  if (received && finished && (toInstant(received) ?? 0) > (toInstant(finished) ?? 0)) {
    r.fail(F.received, `after NgayKetThucXuLy (${received} > ${finished})`);
  }
  const componentsField = r.find(F.components);
  const components = objects(checked(r, listOf(F.components.name, componentsField?.value, MAX_LIST)) ?? []);
  const results = objects(checked(r, listOf(F.results.name, r.find(F.results)?.value, MAX_LIST)) ?? []);
  const fee = checked(r, hasFee(r.find(F.fees)?.value)) ?? false;
  // The history sits beside hoSo ({ hoSo, tienTrinhDongBo }); some systems nest it inside.
  const outer = input.fields;
  const beside = outer === hoSo ? undefined : F.history.name in outer ? outer[F.history.name] : new FieldReader(outer).find(F.history)?.value;
  const steps = checked(r, readSteps(beside ?? r.find(F.history)?.value)) ?? [];
  const flags = componentFlags(components);
  const digitisedFlag = r.flag(F.digitised);
  const electronicFlag = r.flag(F.electronicResult);
  const vneid = r.flag(F.vneid);
  const paidOnline = r.flag(F.paidOnline, parseOnlinePayment);
  let applicantId = r.text(F.applicantId);
  if (!applicantId) {
    const ids = list(r.find(F.applicantIds)?.value);
    applicantId = ids.map((i) => asText(i.SoDinhDanh ?? i.SoGiayTo ?? i.MaDinhDanh)).find((s) => s !== '');
  }
  return finish(r, input, mapper, () => ({
    recordId: code ?? '',
    unitCode: unit ?? '',
    data: {
      procedure_code: procedure,
      procedure_name: r.text(F.procedureName) ?? '',
      field_code: r.id(F.field) ?? '',
      channel,
      status: Number(status),
      applicant_type: applicantType,
      submitted_at: submitted,
      received_at: received,
      due_at: due,
      finished_at: finished,
      returned_at: returned,
      refused_at: refused,
      has_digitized_components: digitisedFlag || flags.digitised,
      vneid_authenticated: vneid,
      paid_online: paidOnline,
      components_count: flags.count,
      has_reused_component: flags.reused,
      has_electronic_result: electronicFlag || results.some((d) => asText(d.DuongDanTepTinKetQua) !== ''),
      applicant_hash: applicantId ? input.pseudonymise(applicantId) : null,
      // The spreadsheet form lists no components: there its "So hoa" flag says a component has a file.
      has_component_file: flags.withFile || (componentsField === undefined && digitisedFlag),
      has_national_repo_component: flags.fromNational,
      has_fee: fee,
      steps,
    },
  }));
}

export const mapper: EntityMapper = {
  source: 'one-stop-shop',
  entity: 'dossiers',
  fields: [...Object.values(F), UPDATED],
  map,
};
