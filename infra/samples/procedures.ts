// The administrative procedures of the samples (codes in the national catalogue's style), the level
// of government that handles each, its deadline (0 = none) and fee, and each unit's catalogue.
import type { Rng } from './random.ts';
import { SAMPLE_UNITS, type SampleUnit, type UnitLevel } from './units.ts';

export interface Procedure {
  code: string;
  name: string;
  fieldCode: string;
  fieldName: string;
  level: UnitLevel;
  /** Processing deadline in days; 0 = the procedure has no deadline. */
  days: number;
  /** Fee in VND; 0 = free. */
  fee: number;
  /** Relative share of the unit's dossiers. */
  weight: number;
}

const HT = ['HT', 'Hộ tịch'] as const;
const CT = ['CT', 'Chứng thực'] as const;
const DD = ['DD', 'Đất đai'] as const;
const XD = ['XD', 'Xây dựng'] as const;
const KD = ['KD', 'Thành lập và hoạt động của hộ kinh doanh'] as const;
const LD = ['LD', 'Lao động, thương binh và xã hội'] as const;
const TP = ['TP', 'Lý lịch tư pháp'] as const;
const GD = ['GD', 'Giáo dục và đào tạo'] as const;

const p = (code: string, name: string, f: readonly [string, string], level: UnitLevel, days: number, fee: number, weight: number): Procedure => ({
  code,
  name,
  fieldCode: f[0],
  fieldName: f[1],
  level,
  days,
  fee,
  weight,
});

export const PROCEDURES: readonly Procedure[] = [
  p('1.001193', 'Đăng ký khai sinh', HT, 'XA', 0, 0, 12),
  p('1.000894', 'Đăng ký kết hôn', HT, 'XA', 0, 0, 4),
  p('1.000656', 'Đăng ký khai tử', HT, 'XA', 0, 0, 3),
  p('2.000635', 'Cấp bản sao trích lục hộ tịch', HT, 'XA', 1, 8000, 6),
  p('2.000815', 'Chứng thực bản sao từ bản chính giấy tờ, văn bản', CT, 'XA', 1, 2000, 14),
  p('2.000884', 'Chứng thực chữ ký trong các giấy tờ, văn bản', CT, 'XA', 1, 10000, 5),
  p('1.003583', 'Xác nhận đơn đề nghị hưởng trợ cấp xã hội', LD, 'XA', 5, 0, 3),
  p('1.005399', 'Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình', LD, 'XA', 10, 0, 2),
  p('2.000720', 'Đăng ký thành lập hộ kinh doanh', KD, 'HUYEN', 3, 100000, 6),
  p('2.000575', 'Đăng ký thay đổi nội dung đăng ký hộ kinh doanh', KD, 'HUYEN', 3, 50000, 3),
  p('1.009994', 'Cấp giấy phép xây dựng nhà ở riêng lẻ', XD, 'HUYEN', 15, 75000, 4),
  p('1.004227', 'Đăng ký biến động quyền sử dụng đất', DD, 'HUYEN', 10, 30000, 5),
  p('1.003003', 'Cấp giấy chứng nhận quyền sử dụng đất lần đầu', DD, 'HUYEN', 30, 120000, 2),
  p('1.005097', 'Chuyển trường đối với học sinh trung học cơ sở', GD, 'HUYEN', 3, 0, 1),
  p('2.000488', 'Cấp phiếu lý lịch tư pháp cho công dân Việt Nam', TP, 'TINH', 10, 200000, 5),
  p('1.001612', 'Cấp giấy phép lao động cho người nước ngoài', LD, 'TINH', 5, 600000, 1),
  p('1.000105', 'Cấp giấy phép kinh doanh vận tải bằng xe ô tô', KD, 'TINH', 5, 200000, 2),
  p('2.001611', 'Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở', XD, 'TINH', 20, 0, 1),
];

export type OnlineLevel = 'TOAN_TRINH' | 'MOT_PHAN' | 'KHONG';

export interface CatalogueEntry {
  procedure: Procedure;
  unit: SampleUnit;
  level: OnlineLevel;
  redesigned: boolean;
  validFrom: number;
  validTo: number | null;
}

/**
 * Each unit's catalogue: the procedures of its level, mostly full online, some partial, a few not
 * online, about a third redesigned; some entries upgraded part-way through (two validity intervals).
 */
export function buildCatalogue(rng: Rng, upgradeAt: number, since: number): CatalogueEntry[] {
  const out: CatalogueEntry[] = [];
  for (const unit of SAMPLE_UNITS) {
    for (const procedure of PROCEDURES.filter((x) => x.level === unit.level)) {
      const level = rng.weighted<OnlineLevel>([
        ['TOAN_TRINH', 65],
        ['MOT_PHAN', 25],
        ['KHONG', 10],
      ]);
      const redesigned = level !== 'KHONG' && rng.chance(0.4);
      if (level === 'MOT_PHAN' && rng.chance(0.3)) {
        // Upgraded to full online during the period: the old entry's validity ends the day before.
        out.push({ procedure, unit, level, redesigned, validFrom: since, validTo: upgradeAt - 86_400_000 });
        out.push({ procedure, unit, level: 'TOAN_TRINH', redesigned: true, validFrom: upgradeAt, validTo: null });
      } else out.push({ procedure, unit, level, redesigned, validFrom: since, validTo: null });
    }
  }
  return out;
}

/** The catalogue entry in force for a unit's procedure at time t. */
export function levelAt(catalogue: readonly CatalogueEntry[], unit: string, procedure: string, t: number): OnlineLevel {
  const e = catalogue.find((c) => c.unit.code === unit && c.procedure.code === procedure && c.validFrom <= t && (c.validTo === null || t < c.validTo + 86_400_000));
  return e?.level ?? 'KHONG';
}
