// Document-management samples: outgoing and incoming documents and work records (ho so cong viec),
// with some secret ones, some on paper, and subjects that name people (personal data to drop).
import { dmy, HOUR, iso } from './clock.ts';
import { fakePerson } from './people.ts';
import type { Rng } from './random.ts';
import type { SampleUnit } from './units.ts';

const KINDS = ['Công văn', 'Quyết định', 'Kế hoạch', 'Báo cáo', 'Tờ trình', 'Thông báo'];
const SUBJECTS = ['V/v triển khai kế hoạch chuyển đổi số năm 2025', 'V/v báo cáo kết quả giải quyết thủ tục hành chính quý I', 'V/v tăng cường sử dụng dịch vụ công trực tuyến', 'V/v kiện toàn Tổ công nghệ số cộng đồng'];
const secrecy = (rng: Rng) =>
  rng.weighted([
    ['THUONG', 96],
    ['MAT', 3],
    ['TOI_MAT', 1],
  ]);

export function makeDocument(rng: Rng, unit: SampleUnit, day: number, seq: number): Record<string, unknown> {
  const outgoing = rng.chance(0.5);
  const electronic = rng.chance(0.93);
  const issued = day - (outgoing ? 0 : rng.int(0, 3) * 86_400_000);
  // A subject that names a citizen: personal data the connector must not keep.
  const subject = rng.chance(0.1) ? `V/v giải quyết đơn của ông/bà ${fakePerson(rng, unit.name).name}, CCCD ${fakePerson(rng, unit.name).idNumber}` : rng.pick(SUBJECTS);
  const toState = rng.chance(0.8);
  return {
    MaVanBan: `VB-${unit.code}-${outgoing ? 'DI' : 'DEN'}-${String(seq).padStart(5, '0')}`,
    SoKyHieu: `${seq}/${unit.level === 'XA' ? 'UBND' : 'UBND-VP'}`,
    LoaiSo: outgoing ? 'DI' : 'DEN',
    LoaiVanBan: rng.pick(KINDS),
    TrichYeu: subject,
    MaDonVi: unit.code,
    NgayBanHanh: dmy(issued),
    NgayDen: outgoing ? '' : dmy(day),
    HinhThuc: electronic ? 'DIEN_TU' : 'GIAY',
    KySo: !electronic ? 'KHONG' : rng.weighted([
      ['CHUYEN_DUNG', 88],
      ['CONG_CONG', 5],
      ['KHONG', 7],
    ]),
    DoMat: secrecy(rng),
    NoiNhanLaCQNN: toState ? 1 : 0,
    QuaTrucLienThong: electronic && toState && rng.chance(0.7) ? 1 : 0,
    NgayCapNhat: iso(day + rng.int(8, 17) * HOUR),
  };
}

export const DOCUMENT_COLUMNS = [
  ['Mã văn bản', 'MaVanBan'],
  ['Số ký hiệu', 'SoKyHieu'],
  ['Sổ văn bản', 'LoaiSo'],
  ['Loại văn bản', 'LoaiVanBan'],
  ['Trích yếu', 'TrichYeu'],
  ['Đơn vị', 'MaDonVi'],
  ['Ngày ban hành', 'NgayBanHanh'],
  ['Hình thức', 'HinhThuc'],
  ['Ký số', 'KySo'],
  ['Độ mật', 'DoMat'],
  ['Gửi cơ quan nhà nước', 'NoiNhanLaCQNN'],
  ['Qua trục liên thông', 'QuaTrucLienThong'],
] as const;

/** The spreadsheet form uses names: Đi/Đến, Điện tử/Giấy, Chuyên dùng/Công cộng/Không, Có/Không. */
export function documentRow(d: Record<string, unknown>): Record<string, unknown> {
  const names: Record<string, string> = { DI: 'Đi', DEN: 'Đến', DIEN_TU: 'Điện tử', GIAY: 'Giấy', CHUYEN_DUNG: 'Chuyên dùng', CONG_CONG: 'Công cộng', KHONG: 'Không', THUONG: 'Thường', MAT: 'Mật', TOI_MAT: 'Tối mật' };
  const out: Record<string, unknown> = { ...d };
  for (const k of ['LoaiSo', 'HinhThuc', 'KySo', 'DoMat']) out[k] = names[String(d[k])] ?? d[k];
  for (const k of ['NoiNhanLaCQNN', 'QuaTrucLienThong']) out[k] = d[k] === 1 ? 'Có' : 'Không';
  return out;
}

export function makeWorkRecord(rng: Rng, unit: SampleUnit, day: number, seq: number, end: number): Record<string, unknown> {
  const closed = day + rng.int(1, 40) * 86_400_000;
  // Wards and communes lag the city in handling work records online.
  const online = rng.chance(unit.level === 'XA' ? 0.78 : 0.93);
  return {
    MaHoSoCongViec: `HSCV-${unit.code}-${String(seq).padStart(5, '0')}`,
    TieuDe: rng.chance(0.1) ? `Hồ sơ giải quyết kiến nghị của ${fakePerson(rng, unit.name).name}` : `Hồ sơ công việc ${seq}: ${rng.pick(SUBJECTS).replace('V/v ', '')}`,
    MaDonVi: unit.code,
    CapDonVi: unit.level,
    NgayMo: dmy(day),
    NgayDong: closed <= end ? dmy(closed) : '',
    XuLyTrenMoiTruongMang: online ? 'Có' : 'Không',
    DoMat: secrecy(rng),
    NgayCapNhat: iso(Math.min(closed, end) + 9 * HOUR),
  };
}

export const WORK_RECORD_COLUMNS = [
  ['Mã hồ sơ công việc', 'MaHoSoCongViec'],
  ['Tiêu đề', 'TieuDe'],
  ['Đơn vị', 'MaDonVi'],
  ['Cấp', 'CapDonVi'],
  ['Ngày mở', 'NgayMo'],
  ['Ngày đóng', 'NgayDong'],
  ['Xử lý trên môi trường mạng', 'XuLyTrenMoiTruongMang'],
  ['Độ mật', 'DoMat'],
] as const;
