// What the Decision 766 index needs from the one-stop-shop and the catalogue (storage contract A):
// the processing history as sorted (status, time) steps with every other step field dropped, the
// component and fee flags, CoKetQuaGiay and ThoiHanGiaiQuyet; hostile lists reject with a reason.
import { describe, expect, it } from 'vitest';
import { MAPPERS } from '../../connectors/mappers.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import { redactText } from '../../connectors/redact.ts';
import { parseWorkingDays } from '../../connectors/public-service-portal/services.ts';
import type { MapResult } from '../../connectors/types.ts';
import type { EntityName } from '../../schemas/events.ts';

const hash = pseudonymiser('a-test-secret-of-32-characters!!');

const hoSo = {
  MaHoSo: 'X0101-250310-0001',
  MaTTHC: '2.000815',
  DonViXuLy: 'X0101',
  KenhThucHien: 2,
  NgayNopHoSo: '20250310080000',
  NgayTiepNhan: '20250310083000',
  NgayHenTra: '20250312170000',
  NgayKetThucXuLy: '20250314100000',
  TrangThaiHoSo: 9,
  HoSoCoThanhPhanSoHoa: 0,
  DuocThanhToanTrucTuyen: 1,
};

const step = (TrangThai: unknown, ThoiDiemXuLy: unknown, more: Record<string, unknown> = {}) => ({
  MaHoSo: hoSo.MaHoSo,
  NguoiXuLy: 'Nguyễn Văn Cán Bộ',
  ChucDanh: 'Chuyên viên',
  PhongBanXuLy: 'Phòng Tư pháp',
  NoiDungXuLy: 'Xử lý',
  NgayBatDau: ThoiDiemXuLy,
  NgayKetThucTheoQuyDinh: '20250312170000',
  TrangThai,
  ThoiDiemXuLy,
  ...more,
});

/** A history out of order, with a supplement request (5) answered (back to 4). */
const history = [
  step(9, '20250314100000'),
  step(2, '20250310083000'),
  step(5, '20250311090000'),
  step(4, '20250310093000'),
  step(4, '20250313080000'),
];

function map(entity: EntityName, fields: Record<string, unknown>): MapResult {
  return MAPPERS[entity].map({ fields, origin: { uri: 'x.ndjson', line: 1 }, runId: 'run-1', exportedAt: '2025-04-01T00:00:00+07:00', pseudonymise: hash });
}

function dossier(fields: Record<string, unknown>): Record<string, unknown> {
  const r = map('dossiers', fields);
  if (r.kind !== 'ok') throw new Error(`rejected: ${r.reason}`);
  return r.event.data as Record<string, unknown>;
}

function reject(entity: EntityName, fields: Record<string, unknown>): { field: string; reason: string } {
  const r = map(entity, fields);
  if (r.kind !== 'reject') throw new Error(`accepted: ${JSON.stringify(r.event.data)}`);
  return r;
}

describe('one-stop-shop dossiers: the processing history (tienTrinhDongBo)', () => {
  it('keeps the status and time of each step, sorted by time, and nothing else of a step', () => {
    const d = dossier({ hoSo, tienTrinhDongBo: history });
    expect(d.steps).toEqual([
      { status: 2, at: '2025-03-10T08:30:00+07:00' },
      { status: 4, at: '2025-03-10T09:30:00+07:00' },
      { status: 5, at: '2025-03-11T09:00:00+07:00' },
      { status: 4, at: '2025-03-13T08:00:00+07:00' },
      { status: 9, at: '2025-03-14T10:00:00+07:00' },
    ]);
    const text = JSON.stringify(d);
    for (const dropped of ['Nguyễn Văn Cán Bộ', 'Chuyên viên', 'Phòng Tư pháp', 'NoiDungXuLy', 'NgayBatDau']) expect(text).not.toContain(dropped);
  });

  it('reads status names, ISO and dd/MM/yyyy times, keeps ties in the export order, and a history nested in hoSo', () => {
    const d = dossier({ hoSo: { ...hoSo, tienTrinhDongBo: [step('Đã xử lý xong', '2025-03-14T10:00:00+07:00'), step('Yêu cầu bổ sung giấy tờ', '11/03/2025 09:00'), step(4, '11/03/2025 09:00:00')] } });
    expect(d.steps).toEqual([
      { status: 5, at: '2025-03-11T09:00:00+07:00' },
      { status: 4, at: '2025-03-11T09:00:00+07:00' },
      { status: 9, at: '2025-03-14T10:00:00+07:00' },
    ]);
  });

  it('is empty for a bare hoSo, an empty or null history, and the spreadsheet form', () => {
    expect(dossier({ hoSo }).steps).toEqual([]);
    expect(dossier({ hoSo, tienTrinhDongBo: [] }).steps).toEqual([]);
    expect(dossier({ hoSo, tienTrinhDongBo: null }).steps).toEqual([]);
    expect(dossier({ 'Ma ho so': 'HS-1', 'Ma TTHC': '1.001', 'Don vi tiep nhan': 'X0101', 'Kenh nop': 'Trực tuyến', 'Ngay tiep nhan': '10/03/2025 08:30', 'Trang thai': 'Đang xử lý', 'So hoa': 'Có' }).steps).toEqual([]);
  });

  it('rejects the dossier, naming the step, for a step without a valid status or time', () => {
    expect(reject('dossiers', { hoSo, tienTrinhDongBo: [step(2, '20250310083000'), step(11, '20250311090000')] })).toMatchObject({ field: 'tienTrinhDongBo[1].TrangThai', reason: expect.stringContaining('unknown code "11"') });
    expect(reject('dossiers', { hoSo, tienTrinhDongBo: [step(2, '20250310083000'), step(4, '31/02/2025 09:00')] })).toMatchObject({ field: 'tienTrinhDongBo[1].ThoiDiemXuLy' });
    expect(reject('dossiers', { hoSo, tienTrinhDongBo: [step('', '20250310083000')] })).toMatchObject({ field: 'tienTrinhDongBo[0].TrangThai', reason: expect.stringContaining('missing') });
    expect(reject('dossiers', { hoSo, tienTrinhDongBo: [step(4, null)] })).toMatchObject({ field: 'tienTrinhDongBo[0].ThoiDiemXuLy' });
  });

  it('rejects hostile histories with a reason, never throws: too long, wrong types, nested junk', () => {
    const long = Array.from({ length: 501 }, () => step(4, '20250310093000'));
    expect(reject('dossiers', { hoSo, tienTrinhDongBo: long })).toMatchObject({ field: 'tienTrinhDongBo', reason: expect.stringContaining('501 elements (at most 500)') });
    const huge = new Array(5_000_000).fill(0);
    expect(reject('dossiers', { hoSo, tienTrinhDongBo: huge }).reason).toContain('at most 500');
    expect(dossier({ hoSo, tienTrinhDongBo: Array.from({ length: 500 }, () => step(4, '20250310093000')) }).steps).toHaveLength(500);
    for (const bad of [42, 'not a list', { 0: step(2, '20250310083000') }, true, '[{"TrangThai": 2,']) {
      expect(reject('dossiers', { hoSo, tienTrinhDongBo: bad }).field).toBe('tienTrinhDongBo');
    }
    for (const bad of [null, 7, 'x', [step(2, '20250310083000')], { TrangThai: { a: 1 }, ThoiDiemXuLy: '20250310083000' }]) {
      expect(reject('dossiers', { hoSo, tienTrinhDongBo: [bad] }).field).toMatch(/^tienTrinhDongBo\[0\]/);
    }
    expect(dossier({ hoSo, tienTrinhDongBo: JSON.stringify([step(2, '20250310083000')]) }).steps).toEqual([{ status: 2, at: '2025-03-10T08:30:00+07:00' }]);
  });

  it('keeps NguoiXuLy out of a reject\'s original text (connectors/pii.ts redacts it at any depth)', () => {
    const original = JSON.stringify({ hoSo, tienTrinhDongBo: [step(11, '20250311090000', { NguoiXuLy: 'Trần Thị Xử Lý' })] });
    expect(reject('dossiers', JSON.parse(original) as Record<string, unknown>).field).toBe('tienTrinhDongBo[0].TrangThai');
    const red = redactText(original);
    expect(red).not.toContain('Trần Thị Xử Lý');
    expect(red).toContain('"NguoiXuLy":"[redacted]"');
  });
});

describe('one-stop-shop dossiers: components and fees', () => {
  it('has_component_file: a component with a file name or DuocSoHoa; has_national_repo_component: DuocLayTuKhoDMQG', () => {
    const d = (TaiLieuNop: unknown) => dossier({ hoSo: { ...hoSo, TaiLieuNop } });
    expect(d([{ MaThanhPhanHoSo: 'TP01', TenTepDinhKem: 'to-khai.pdf', DuocSoHoa: 0 }])).toMatchObject({ has_component_file: true, has_national_repo_component: false, components_count: 1 });
    expect(d([{ MaThanhPhanHoSo: 'TP01', TenTepDinhKem: '', DuocSoHoa: 'Có' }])).toMatchObject({ has_component_file: true, has_digitized_components: true });
    expect(d([{ MaThanhPhanHoSo: 'TP01', TenTepDinhKem: ' ', DuocSoHoa: 0, DuocLayTuKhoDMQG: 1 }])).toMatchObject({ has_component_file: false, has_national_repo_component: true });
    expect(d([])).toMatchObject({ has_component_file: false, has_national_repo_component: false, components_count: 0 });
    // Elements that are not objects carry nothing.
    expect(d([null, 3, 'x', { TenTepDinhKem: 'a.pdf' }])).toMatchObject({ has_component_file: true, components_count: 1 });
  });

  it('a dossier without TaiLieuNop (the spreadsheet form) takes has_component_file from its "So hoa" flag', () => {
    expect(dossier({ hoSo: { ...hoSo, HoSoCoThanhPhanSoHoa: 1 } }).has_component_file).toBe(true);
    expect(dossier({ hoSo: { ...hoSo, HoSoCoThanhPhanSoHoa: 1, TaiLieuNop: [] } }).has_component_file).toBe(false);
    const row = { 'Ma ho so': 'HS-1', 'Ma TTHC': '1.001', 'Don vi tiep nhan': 'X0101', 'Kenh nop': 'Trực tuyến', 'Ngay tiep nhan': '10/03/2025 08:30', 'Trang thai': 'Đang xử lý' };
    expect(dossier({ ...row, 'Số hóa': 'Có' })).toMatchObject({ has_component_file: true, has_national_repo_component: false, has_fee: false, steps: [] });
    expect(dossier({ ...row, 'Số hóa': 'Không' }).has_component_file).toBe(false);
  });

  it('has_fee: a fee with Gia > 0, in any number spelling; free fees and no fees are not', () => {
    const d = (DanhSachLePhi: unknown) => dossier({ hoSo: { ...hoSo, DanhSachLePhi } }).has_fee;
    expect(d([{ MaPhiLePhi: 'LP1', Gia: 10000 }])).toBe(true);
    expect(d([{ MaPhiLePhi: 'LP1', Gia: '1.250.000' }])).toBe(true);
    expect(d([{ MaPhiLePhi: 'LP1', Gia: 0 }, { MaPhiLePhi: 'LP2', Gia: '' }, { MaPhiLePhi: 'LP3' }])).toBe(false);
    expect(d([{ MaPhiLePhi: 'LP1', Gia: 0 }, { MaPhiLePhi: 'LP2', Gia: '2000' }])).toBe(true);
    expect(d([])).toBe(false);
    expect(d(undefined)).toBe(false);
  });

  it('rejects a fee whose Gia is not an amount, and lists of the wrong type or beyond their limit', () => {
    expect(reject('dossiers', { hoSo: { ...hoSo, DanhSachLePhi: [{ Gia: 1000 }, { Gia: 'mười nghìn' }] } })).toMatchObject({ field: 'DanhSachLePhi[1].Gia' });
    expect(reject('dossiers', { hoSo: { ...hoSo, DanhSachLePhi: [{ Gia: -5 }] } })).toMatchObject({ field: 'DanhSachLePhi[0].Gia' });
    expect(reject('dossiers', { hoSo: { ...hoSo, DanhSachLePhi: { Gia: 1000 } } })).toMatchObject({ field: 'DanhSachLePhi', reason: expect.stringContaining('expected an array') });
    expect(reject('dossiers', { hoSo: { ...hoSo, TaiLieuNop: 12 } })).toMatchObject({ field: 'TaiLieuNop' });
    expect(reject('dossiers', { hoSo: { ...hoSo, DanhSachGiayToKetQua: 'kết quả' } })).toMatchObject({ field: 'DanhSachGiayToKetQua' });
    expect(reject('dossiers', { hoSo: { ...hoSo, TaiLieuNop: new Array(10_001).fill({ TenTepDinhKem: 'a.pdf' }) } }).reason).toContain('10001 elements (at most 10000)');
  });

  it('puts the first problem of the record first: a missing MaHoSo before a bad history', () => {
    const { MaHoSo: _, ...rest } = hoSo;
    expect(reject('dossiers', { hoSo: rest, tienTrinhDongBo: 5 }).field).toBe('MaHoSo');
  });
});

describe('public-service-portal services: CoKetQuaGiay and ThoiHanGiaiQuyet', () => {
  const svc = { MaTTHC: '2.000815', MaDonVi: 'X0101', MucDo: 'TOAN_TRINH', HieuLucTu: '01/01/2025' };
  const data = (more: Record<string, unknown>) => {
    const r = map('services', { ...svc, ...more });
    if (r.kind !== 'ok') throw new Error(`rejected: ${r.reason}`);
    return r.event.data as Record<string, unknown>;
  };

  it('are null when not exported', () => {
    expect(data({})).toMatchObject({ has_paper_result: null, max_days: null });
    expect(data({ CoKetQuaGiay: '', ThoiHanGiaiQuyet: '' })).toMatchObject({ has_paper_result: null, max_days: null });
  });

  it('read the flag spellings and whole working days, in JSON and under the spreadsheet headings', () => {
    expect(data({ CoKetQuaGiay: 1, ThoiHanGiaiQuyet: 15 })).toMatchObject({ has_paper_result: true, max_days: 15 });
    expect(data({ CoKetQuaGiay: 'Không', ThoiHanGiaiQuyet: '0' })).toMatchObject({ has_paper_result: false, max_days: 0 });
    expect(data({ 'Có kết quả giấy': 'x', 'Thời hạn giải quyết (ngày làm việc)': '30 ngày làm việc' })).toMatchObject({ has_paper_result: true, max_days: 30 });
    for (const [v, n] of [['5 ngày', 5], [' 7 ', 7], ['3650', 3650], ['1.200', 1200]] as const) expect(parseWorkingDays(v)).toEqual({ ok: true, value: n });
  });

  it('reject a value that is not a flag or a whole number of days, naming the field', () => {
    expect(reject('services', { ...svc, CoKetQuaGiay: 'maybe' })).toMatchObject({ field: 'CoKetQuaGiay' });
    for (const bad of ['0,5', 1.5, -3, '3651', 'mười ngày', '15 tháng', true, { d: 1 }]) {
      expect(reject('services', { ...svc, ThoiHanGiaiQuyet: bad }), String(bad)).toMatchObject({ field: 'ThoiHanGiaiQuyet', reason: expect.stringContaining('whole number of working days') });
    }
  });
});
