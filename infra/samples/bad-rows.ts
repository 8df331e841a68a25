// The deliberate bad rows of the samples, per output: each corrupts a copy of a good record in one
// named way (unparseable date, unknown code, missing id, received after finished), and is listed in
// the manifest with its location so that tests and operators know which rejects to expect.
import type { SampleWriter } from './writers.ts';

export type BadKind = 'unparseable-date' | 'unknown-code' | 'missing-id' | 'received-after-finished';

export interface Corruption {
  kind: BadKind;
  field: string;
  apply(r: Record<string, unknown>): Record<string, unknown>;
}

export interface BadRow {
  location: number;
  kind: BadKind;
  field: string;
}

const set = (field: string, value: unknown, kind: BadKind, idField?: string): Corruption => ({
  kind,
  field,
  apply: (r) => ({ ...r, ...(idField && kind !== 'missing-id' ? { [idField]: `${String(r[idField])}-LOI` } : {}), [field]: value }),
});

/** For the `{ hoSo, tienTrinhDongBo }` form: the corruption applies inside hoSo. */
export const inHoSo = (c: Corruption): Corruption => ({ ...c, apply: (r) => ({ ...r, hoSo: c.apply(r.hoSo as Record<string, unknown>) }) });

export const BAD = {
  dossiers: [
    inHoSo(set('NgayTiepNhan', '31/02/2025 08:00', 'unparseable-date', 'MaHoSo')),
    inHoSo(set('KenhThucHien', 7, 'unknown-code', 'MaHoSo')),
    inHoSo(set('MaHoSo', '', 'missing-id')),
    inHoSo({
      kind: 'received-after-finished',
      field: 'NgayTiepNhan',
      apply: (r) => ({ ...r, MaHoSo: `${String(r.MaHoSo)}-LOI`, TrangThaiHoSo: 9, NgayTiepNhan: '20250320100000', NgayKetThucXuLy: '20250310100000', NgayTra: '' }),
    }),
  ],
  dossierSheet: [set('received', '32/01/2025 08:00', 'unparseable-date', 'code'), set('status', 'Đang chờ duyệt', 'unknown-code', 'code')],
  documents: [set('NgayBanHanh', '30/02/2025', 'unparseable-date', 'MaVanBan'), set('KySo', 'CA_NUOC_NGOAI', 'unknown-code', 'MaVanBan'), set('MaVanBan', '', 'missing-id')],
  workRecords: [set('NgayMo', 'hôm qua', 'unparseable-date', 'MaHoSoCongViec'), set('DoMat', 'BI_MAT', 'unknown-code', 'MaHoSoCongViec'), set('MaHoSoCongViec', '', 'missing-id')],
  services: [set('HieuLucTu', '2025-02-30', 'unparseable-date', 'MaTTHC'), set('MucDo', 'MUC_DO_5', 'unknown-code', 'MaTTHC'), set('MaTTHC', '', 'missing-id')],
  payments: [set('ThoiGian', '2025/13/01 10:00', 'unparseable-date', 'MaGiaoDich'), set('HinhThuc', 'VI_DIEN_TU', 'unknown-code', 'MaGiaoDich'), set('MaGiaoDich', '', 'missing-id')],
  ratings: [set('ThoiGian', 'không rõ', 'unparseable-date', 'MaDanhGia'), set('MucDo', 'BINH_THUONG', 'unknown-code', 'MaDanhGia'), set('MaDanhGia', '', 'missing-id')],
} as const;

/**
 * A writer that slips its corruptions in, one after every `gap` good records (so even a short
 * export has them all), and the rest at the end.
 */
export class WithBadRows {
  readonly bad: BadRow[] = [];
  private good = 0;
  private last: Record<string, unknown> | undefined;
  private readonly pending: Corruption[];

  constructor(
    readonly writer: SampleWriter,
    corruptions: readonly Corruption[],
    private readonly gap = 25,
  ) {
    this.pending = [...corruptions];
  }

  async write(r: Record<string, unknown>): Promise<void> {
    await this.writer.write(r);
    this.good++;
    this.last = r;
    if (this.good % this.gap === 0) await this.slip();
  }

  private async slip(): Promise<void> {
    const c = this.pending.shift();
    if (!c || !this.last) return;
    const location = await this.writer.write(c.apply(structuredClone(this.last)));
    this.bad.push({ location, kind: c.kind, field: c.field });
  }

  async close(): Promise<{ records: number; bad: BadRow[] }> {
    while (this.pending.length > 0 && this.last) await this.slip();
    await this.writer.close();
    return { records: this.writer.count, bad: this.bad };
  }
}
