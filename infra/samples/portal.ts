// Public-service-portal samples: the services catalogue snapshot, payments of the dossiers' fees and
// citizens' satisfaction ratings, derived from the dossiers so that the joins hold.
import { dmy, dmyTime, HOUR, iso, MINUTE } from './clock.ts';
import type { DossierFacts } from './dossiers.ts';
import type { CatalogueEntry } from './procedures.ts';
import type { Rng } from './random.ts';

/**
 * Procedures whose result is not a paper document (a confirmation on the application, a transfer):
 * every other sample procedure issues a certificate, licence, copy or extract on paper (CoKetQuaGiay).
 */
const NO_PAPER_RESULT = new Set(['1.003583', '1.005399', '1.005097', '2.001611']);

export function serviceJson(e: CatalogueEntry): Record<string, unknown> {
  return {
    MaTTHC: e.procedure.code,
    TenTTHC: e.procedure.name,
    MaDonVi: e.unit.code,
    CapThucHien: e.unit.level,
    MucDo: e.level,
    CoPhiLePhi: e.procedure.fee > 0,
    ThietKeLai: e.redesigned,
    HieuLucTu: dmy(e.validFrom),
    HieuLucDen: e.validTo === null ? '' : dmy(e.validTo),
    // Fixed by the procedure, not drawn: the samples' random stream (and so every other value) is untouched.
    CoKetQuaGiay: !NO_PAPER_RESULT.has(e.procedure.code),
    // The procedures without a deadline (0) leave it empty: their dossiers have no NgayHenTra either.
    ThoiHanGiaiQuyet: e.procedure.days === 0 ? '' : e.procedure.days,
  };
}

/** The payments of a dossier's fee: none if free or never paid; a failed online attempt is sometimes retried. */
export function paymentsOf(rng: Rng, d: DossierFacts, seq: () => number): Record<string, unknown>[] {
  if (d.procedure.fee === 0 || d.received === null || d.status === 7) return [];
  const out: Record<string, unknown>[] = [];
  const method = d.paidOnline ? 'TRUC_TUYEN' : 'TRUC_TIEP';
  let at = d.received + rng.int(5, 120) * MINUTE;
  const pay = (status: string) => {
    out.push({
      MaGiaoDich: `GD${String(seq()).padStart(8, '0')}`,
      MaHoSo: d.code,
      MaTTHC: d.procedure.code,
      MaDonVi: d.unit.code,
      SoTien: d.procedure.fee,
      HinhThuc: method,
      TrangThai: status,
      ThoiGian: dmyTime(at),
      NgayCapNhat: iso(at + MINUTE),
    });
  };
  if (method === 'TRUC_TUYEN' && rng.chance(0.06)) {
    pay('THAT_BAI');
    at += rng.int(2, 30) * MINUTE;
  }
  pay(rng.chance(0.03) ? 'DANG_XU_LY' : 'THANH_CONG');
  return out;
}

export function ratingOf(rng: Rng, d: DossierFacts, seq: () => number): Record<string, unknown> | null {
  if (d.returned === null || !rng.chance(0.4)) return null;
  return {
    MaDanhGia: `DG${String(seq()).padStart(8, '0')}`,
    MaHoSo: d.code,
    MaDonVi: d.unit.code,
    ThoiGian: iso(d.returned + rng.int(1, 72) * HOUR),
    MucDo: rng.weighted([
      ['RAT_HAI_LONG', 58],
      ['HAI_LONG', 34],
      ['KHONG_HAI_LONG', 8],
    ]),
  };
}

export const PAYMENT_COLUMNS = [
  ['Mã giao dịch', 'MaGiaoDich'],
  ['Mã hồ sơ', 'MaHoSo'],
  ['Mã TTHC', 'MaTTHC'],
  ['Đơn vị', 'MaDonVi'],
  ['Số tiền', 'SoTien'],
  ['Hình thức', 'HinhThuc'],
  ['Trạng thái', 'TrangThai'],
  ['Thời gian', 'ThoiGian'],
] as const;

/** The spreadsheet form: names, and amounts with dot grouping (1.250.000). */
export function paymentRow(p: Record<string, unknown>): Record<string, unknown> {
  const names: Record<string, string> = { TRUC_TUYEN: 'Trực tuyến', TRUC_TIEP: 'Trực tiếp', THANH_CONG: 'Thành công', THAT_BAI: 'Thất bại', DANG_XU_LY: 'Đang xử lý' };
  return { ...p, SoTien: Number(p.SoTien).toLocaleString('de-DE'), HinhThuc: names[String(p.HinhThuc)], TrangThai: names[String(p.TrangThai)] };
}

export const RATING_COLUMNS = [
  ['Mã đánh giá', 'MaDanhGia'],
  ['Mã hồ sơ', 'MaHoSo'],
  ['Đơn vị', 'MaDonVi'],
  ['Thời gian', 'ThoiGian'],
  ['Mức độ', 'MucDo'],
] as const;

export function ratingRow(r: Record<string, unknown>): Record<string, unknown> {
  const names: Record<string, string> = { RAT_HAI_LONG: 'Rất hài lòng', HAI_LONG: 'Hài lòng', KHONG_HAI_LONG: 'Không hài lòng' };
  return { ...r, MucDo: names[String(r.MucDo)] };
}
