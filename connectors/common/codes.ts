// The code tables of SOURCES.md and their other spellings: the code itself, the Vietnamese name (any
// case, with or without diacritics), the kebab-case slug, and the older numbers where a table has
// them. Everything folds to one key (fold()), so "RẤT HÀI LÒNG", "rat-hai-long" and RAT_HAI_LONG meet.
import type { Parsed } from './dates.ts';
import { asText, fold, quote } from './text.ts';

export interface CodeTable<T extends string> {
  name: string;
  lookup: Map<string, T>;
}

/** entries: canonical value -> every accepted spelling (codes, names, slugs, numbers). */
export function codeTable<T extends string>(name: string, entries: Record<T, readonly (string | number)[]>): CodeTable<T> {
  const lookup = new Map<string, T>();
  for (const [value, spellings] of Object.entries(entries) as [T, (string | number)[]][]) {
    for (const s of spellings) lookup.set(fold(String(s)), value);
  }
  return { name, lookup };
}

export function parseCode<T extends string>(table: CodeTable<T>, v: unknown): Parsed<T> {
  const key = fold(asText(v));
  const hit = table.lookup.get(key);
  return hit === undefined ? { ok: false, error: `unknown code ${quote(v)}` } : { ok: true, value: hit };
}

export const CHANNEL = codeTable('KenhThucHien', {
  in_person: [1, 'TRUC_TIEP', 'Trực tiếp', 'Tai quay', 'Tại quầy'],
  online: [2, 'TRUC_TUYEN', 'Trực tuyến', 'online'],
  postal: [3, 'BCCI', 'BUU_CHINH', 'Bưu chính', 'Bưu chính công ích', 'Qua bưu chính công ích'],
});

export const DOSSIER_STATUS = codeTable('TrangThaiHoSo', {
  '1': [1, 'Mới đăng ký', 'MOI_DANG_KY'],
  '2': [2, 'Được tiếp nhận', 'DUOC_TIEP_NHAN', 'Đã tiếp nhận'],
  '3': [3, 'Không được tiếp nhận', 'KHONG_DUOC_TIEP_NHAN', 'Từ chối tiếp nhận'],
  '4': [4, 'Đang xử lý', 'DANG_XU_LY'],
  '5': [5, 'Yêu cầu bổ sung giấy tờ', 'YEU_CAU_BO_SUNG_GIAY_TO', 'Yêu cầu bổ sung'],
  '6': [6, 'Yêu cầu thực hiện nghĩa vụ tài chính', 'YEU_CAU_THUC_HIEN_NGHIA_VU_TAI_CHINH'],
  '7': [7, 'Công dân yêu cầu rút hồ sơ', 'CONG_DAN_YEU_CAU_RUT_HO_SO', 'Rút hồ sơ'],
  '8': [8, 'Dừng xử lý', 'DUNG_XU_LY'],
  '9': [9, 'Đã xử lý xong', 'DA_XU_LY_XONG'],
  '10': [10, 'Đã trả kết quả', 'DA_TRA_KET_QUA'],
});

export const APPLICANT_TYPE = codeTable('LoaiDoiTuong', {
  citizen: [1, 'Công dân', 'CONG_DAN', 'Cá nhân', 'CA_NHAN'],
  organisation: [2, 'Tổ chức', 'TO_CHUC', 'Doanh nghiệp', 'DOANH_NGHIEP', 'Tổ chức, doanh nghiệp', 'Tổ chức/doanh nghiệp'],
});

export const REGISTER = codeTable('LoaiSo', {
  outgoing: ['DI', 'Đi', 'Văn bản đi', 'VB_DI'],
  incoming: ['DEN', 'Đến', 'Văn bản đến', 'VB_DEN'],
});

export const DOCUMENT_FORM = codeTable('HinhThuc', {
  electronic: ['DIEN_TU', 'Điện tử'],
  paper: ['GIAY', 'Giấy', 'Bản giấy'],
});

export const SIGNATURE = codeTable('KySo', {
  none: ['KHONG', 'Không', 'Không ký số', ''],
  specialised: ['CHUYEN_DUNG', 'Chuyên dùng', 'Ký số chuyên dùng'],
  public: ['CONG_CONG', 'Công cộng', 'Ký số công cộng'],
});

export const SECRECY = codeTable('DoMat', {
  normal: ['THUONG', 'Thường', 'Không mật', ''],
  secret: ['MAT', 'Mật'],
  top_secret: ['TOI_MAT', 'Tối mật'],
  absolute_secret: ['TUYET_MAT', 'Tuyệt mật'],
});

export const UNIT_LEVEL = codeTable('Cap', {
  TINH: ['TINH', 'Tỉnh', 'Cấp tỉnh', 'Thành phố trực thuộc trung ương'],
  HUYEN: ['HUYEN', 'Huyện', 'Cấp huyện', 'Quận', 'Thị xã'],
  XA: ['XA', 'Xã', 'Cấp xã', 'Phường', 'Thị trấn'],
});

export const ONLINE_LEVEL = codeTable('MucDo', {
  full: ['TOAN_TRINH', 'Toàn trình', 4, 'Mức độ 4'],
  partial: ['MOT_PHAN', 'Một phần', 3, 'Mức độ 3'],
  none: ['KHONG', 'Không', 2, 1, 'Mức độ 2', 'Mức độ 1'],
});

export const PAYMENT_METHOD = codeTable('HinhThuc', {
  online: ['TRUC_TUYEN', 'Trực tuyến'],
  in_person: ['TRUC_TIEP', 'Trực tiếp', 'TIEN_MAT', 'Tiền mặt'],
});

export const PAYMENT_STATUS = codeTable('TrangThai', {
  success: ['THANH_CONG', 'Thành công'],
  failed: ['THAT_BAI', 'Thất bại'],
  pending: ['DANG_XU_LY', 'Đang xử lý'],
});

export const SATISFACTION = codeTable('MucDo', {
  very_satisfied: ['RAT_HAI_LONG', 'Rất hài lòng'],
  satisfied: ['HAI_LONG', 'Hài lòng'],
  unsatisfied: ['KHONG_HAI_LONG', 'Không hài lòng'],
});
