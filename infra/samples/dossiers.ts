// One-stop-shop dossiers of the samples: the facts of a dossier (made once, from the seed), then
// rendered as the HoSoDongBoDVC JSON with its processing history, or as a "Danh sach ho so" row.
import { compact, DAY, dmyMinute, HOUR, isWeekend, MINUTE, yymmdd } from './clock.ts';
import { fakeOfficial, fakePerson, type FakePerson } from './people.ts';
import { type CatalogueEntry, levelAt, type Procedure, PROCEDURES } from './procedures.ts';
import { Rng, seedOf } from './random.ts';
import type { SampleUnit } from './units.ts';

export interface DossierFacts {
  code: string;
  unit: SampleUnit;
  procedure: Procedure;
  channel: 1 | 2 | 3;
  status: number;
  citizen: boolean;
  person: FakePerson;
  submitted: number;
  received: number | null;
  due: number | null;
  finished: number | null;
  returned: number | null;
  refused: number | null;
  digitised: boolean;
  vneid: boolean;
  paidOnline: boolean;
  components: { code: string; name: string; digitised: boolean; reused: boolean; fromNational: boolean }[];
  electronicResult: boolean;
  updated: number;
}

const STATUS_NAMES: Record<number, string> = {
  1: 'Mới đăng ký',
  2: 'Được tiếp nhận',
  3: 'Không được tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung giấy tờ',
  6: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  7: 'Công dân yêu cầu rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
};
const CHANNEL_NAMES = { 1: 'Trực tiếp', 2: 'Trực tuyến', 3: 'Bưu chính công ích' } as const;

const COMPONENTS = [
  ['TP01', 'Tờ khai theo mẫu'],
  ['TP02', 'Bản sao căn cước công dân'],
  ['TP03', 'Giấy tờ chứng minh nơi cư trú'],
  ['TP04', 'Bản vẽ, sơ đồ kèm theo'],
] as const;

/** Makes one dossier submitted on `day` (local midnight) to `unit`; `end` is the export's end (later events are not known yet). */
export function makeDossier(rng: Rng, catalogue: readonly CatalogueEntry[], unit: SampleUnit, day: number, seq: number, end: number): DossierFacts {
  const choices = PROCEDURES.filter((p) => p.level === unit.level);
  const procedure = rng.weighted(choices.map((p) => [p.code, p.weight] as const));
  const proc = choices.find((p) => p.code === procedure)!;
  const level = levelAt(catalogue, unit.code, proc.code, day);
  const online = level === 'TOAN_TRINH' ? rng.chance(0.88) : level === 'MOT_PHAN' ? rng.chance(0.65) : false;
  const channel: 1 | 2 | 3 = online ? 2 : rng.chance(0.05) ? 3 : 1;
  // Counters open 7:30-17:00 on working days; online submissions arrive at any hour.
  const submitted = day + (online ? rng.int(0, 23 * 60 + 59) : rng.int(7 * 60 + 30, 17 * 60)) * MINUTE + rng.int(0, 59) * 1000;
  // An online dossier is received by an officer in office hours: the same day, or the next morning.
  const minuteOfDay = (submitted - day) / MINUTE;
  const officeStart = minuteOfDay < 7 * 60 + 30 ? day : minuteOfDay > 16 * 60 ? day + DAY : submitted;
  let received: number | null = online ? Math.max(officeStart + (7 * 60 + 30) * MINUTE * (officeStart === submitted ? 0 : 1), submitted) + rng.int(10, 120) * MINUTE : submitted + rng.int(1, 30) * MINUTE;
  const age = end - received;
  const durationDays = proc.days === 0 ? rng.int(0, 2) : Math.max(0, Math.round(proc.days * (0.3 + rng.next() * 0.9) + (rng.chance(0.08) ? rng.int(2, 10) : 0)));
  const due = proc.days === 0 ? null : received + Math.ceil(proc.days * 1.4) * DAY;
  let finished: number | null = received + durationDays * DAY + rng.int(1, 8) * HOUR;
  let returned: number | null = finished + rng.int(1, 48) * HOUR;
  let refused: number | null = null;
  let status: number = rng.weighted<number>([
    [10, 78],
    [9, 8],
    [3, 3],
    [7, 2],
    [8, 1],
    [5, 4],
    [6, 2],
    [4, 2],
  ]);
  if (status === 3) {
    refused = received;
    received = null;
  }
  // What has not happened by the end of the export is not in it.
  if (status === 3 || status === 7 || status === 8 || status === 5 || status === 6 || status === 4) {
    finished = null;
    returned = null;
  } else if (finished > end) {
    status = age > DAY ? 4 : 2;
    finished = null;
    returned = null;
  } else if (status === 9 || (returned !== null && returned > end)) {
    status = 9;
    returned = null;
  }
  const resolved = finished !== null;
  const digitised = rng.chance(0.72);
  const components = Array.from({ length: rng.int(1, 3) }, (_, i) => ({
    code: COMPONENTS[i]![0],
    name: COMPONENTS[i]![1],
    digitised: digitised && rng.chance(0.9),
    reused: rng.chance(0.45),
    fromNational: rng.chance(0.2),
  }));
  const updated = Math.max(submitted, received ?? 0, finished ?? 0, returned ?? 0, refused ?? 0);
  return {
    code: `${unit.code}-${yymmdd(day)}-${String(seq).padStart(4, '0')}`,
    unit,
    procedure: proc,
    channel,
    status,
    citizen: rng.chance(0.85),
    person: fakePerson(rng, unit.name),
    submitted,
    received,
    due,
    finished,
    returned,
    refused,
    digitised,
    vneid: channel === 2 && rng.chance(0.7),
    paidOnline: channel === 2 && proc.fee > 0 && rng.chance(0.75),
    components,
    electronicResult: resolved && rng.chance(0.85),
    updated,
  };
}

export const isWorkingDay = (day: number) => !isWeekend(day);

const t = (v: number | null) => (v === null ? '' : compact(v));

/**
 * The steps of a dossier's history beyond reception, processing, finish and return (Decision 766's
 * 2.1 reads them): supplement requests (5) and the answer (back to 4), a request still open, a
 * financial obligation (6), a withdrawal (7) or a stop (8). Drawn from a random source of the
 * dossier's own (seeded by its code), not from the samples' stream: adding them changed none of the
 * other fields of the samples, so the values of the indicators computed from them stay as they were.
 */
export function extraSteps(f: DossierFacts, end: number): { at: number; status: number; dept: string; note: string; side: Rng }[] {
  const side = new Rng(seedOf(`history:${f.code}`));
  const out: { at: number; status: number; dept: string; note: string; side: Rng }[] = [];
  if (f.received === null) return out;
  const from = f.received + HOUR;
  const add = (at: number, status: number, note: string) => out.push({ at, status, dept: 'Phòng chuyên môn', note, side });
  if (f.finished !== null) {
    // Finished dossiers: about one in eight waited for a supplement, a few twice.
    const span = f.finished - from;
    const requests = span < 2 * HOUR ? 0 : side.chance(0.12) ? (side.chance(0.15) ? 2 : 1) : 0;
    let t = from;
    for (let i = 0; i < requests; i++) {
      const slot = (f.finished - t) / (requests - i);
      const asked = t + Math.max(MINUTE, Math.floor(slot * (0.1 + side.next() * 0.4)));
      const answered = asked + Math.max(MINUTE, Math.floor((t + slot - asked) * (0.2 + side.next() * 0.7)));
      add(asked, 5, 'Yêu cầu bổ sung hồ sơ');
      add(answered, 4, 'Công dân đã bổ sung hồ sơ, tiếp tục xử lý');
      t = answered;
    }
    return out;
  }
  // Still open, stopped or withdrawn: the step that put the dossier in its state, before the export's end.
  const NOTES: Record<number, string> = { 5: 'Yêu cầu bổ sung hồ sơ', 6: 'Yêu cầu thực hiện nghĩa vụ tài chính', 7: 'Công dân rút hồ sơ', 8: 'Dừng xử lý' };
  const note = NOTES[f.status];
  if (note !== undefined) add(Math.max(from + MINUTE, Math.min(end - MINUTE, from + side.int(1, 96) * HOUR)), f.status, note);
  return out;
}

/** The HoSoDongBoDVC object with its processing history (tienTrinhDongBo); `end` is the export's end. */
export function dossierJson(f: DossierFacts, rng: Rng, end: number): { hoSo: Record<string, unknown>; tienTrinhDongBo: Record<string, unknown>[] } {
  const history: Record<string, unknown>[] = [];
  const step = (at: number | null, status: number, dept: string, note: string, from: Rng = rng) => {
    if (at === null) return;
    history.push({
      MaHoSo: f.code,
      NguoiXuLy: fakeOfficial(from),
      ChucDanh: dept === 'Bộ phận Một cửa' ? 'Công chức tiếp nhận' : 'Chuyên viên',
      ThoiDiemXuLy: compact(at),
      PhongBanXuLy: dept,
      NoiDungXuLy: note,
      TrangThai: status,
      NgayBatDau: compact(at),
      NgayKetThucTheoQuyDinh: t(f.due),
    });
  };
  step(f.received ?? f.refused, f.received ? 2 : 3, 'Bộ phận Một cửa', f.received ? 'Tiếp nhận hồ sơ' : 'Từ chối tiếp nhận: hồ sơ chưa đầy đủ');
  if (f.received !== null && f.status !== 2) step(f.received + HOUR, 4, 'Phòng chuyên môn', 'Chuyển xử lý');
  for (const x of extraSteps(f, end)) step(x.at, x.status, x.dept, x.note, x.side);
  step(f.finished, 9, 'Phòng chuyên môn', 'Hoàn thành xử lý');
  step(f.returned, 10, 'Bộ phận Một cửa', 'Trả kết quả');
  return {
    hoSo: {
      MaHoSo: f.code,
      MaTTHC: f.procedure.code,
      TenTTHC: f.procedure.name,
      MaLinhVuc: f.procedure.fieldCode,
      TenLinhVuc: f.procedure.fieldName,
      DonViXuLy: f.unit.code,
      KenhThucHien: f.channel,
      NgayNopHoSo: compact(f.submitted),
      NgayTiepNhan: t(f.received),
      NgayHenTra: t(f.due),
      NgayKetThucXuLy: t(f.finished),
      NgayTra: t(f.returned),
      NgayTuChoi: t(f.refused),
      TrangThaiHoSo: f.status,
      LoaiDoiTuong: f.citizen ? 1 : 2,
      HoSoCoThanhPhanSoHoa: f.digitised ? 1 : 0,
      TaiKhoanDuocXacThucVoiVNeID: f.vneid ? 1 : 0,
      DuocThanhToanTrucTuyen: f.paidOnline ? 1 : 0,
      TaiLieuNop: f.components.map((c) => ({
        MaThanhPhanHoSo: c.code,
        // A paper component handed in at the counter and not digitised has no file.
        TenTepDinhKem: f.channel === 2 || c.digitised ? `${c.name}.pdf` : '',
        DuocSoHoa: c.digitised ? 1 : 0,
        DuocTaiSuDung: c.reused ? 1 : 0,
        DuocLayTuKhoDMQG: c.fromNational ? 1 : 0,
      })),
      DanhSachGiayToKetQua:
        f.finished === null
          ? []
          : [{ MaGiayToKetQua: `KQ-${f.code}`, TenGiayTo: `Kết quả ${f.procedure.name.toLowerCase()}`, DuongDanTepTinKetQua: f.electronicResult ? `/ketqua/${f.code}.pdf` : '' }],
      DanhSachLePhi: f.procedure.fee > 0 ? [{ MaPhiLePhi: `LP-${f.procedure.code}`, TenPhiLePhi: 'Lệ phí', Gia: f.procedure.fee, HinhThucThu: f.paidOnline ? 2 : 1 }] : [],
      SoGiayToChuHoSo: f.person.idNumber,
      ChuHoSo: f.person.name,
      SoDienThoai: f.person.phone,
      Email: f.person.email,
      DiaChi: f.person.address,
      DinhDanhCHS: [{ SoDinhDanh: f.person.idNumber, HoVaTen: f.person.name }],
      NgayCapNhat: compact(f.updated),
    },
    tienTrinhDongBo: history,
  };
}

export const DOSSIER_COLUMNS = [
  ['STT', 'stt'],
  ['Mã hồ sơ', 'code'],
  ['Mã TTHC', 'procedure'],
  ['Tên TTHC', 'procedureName'],
  ['Lĩnh vực', 'field'],
  ['Đơn vị tiếp nhận', 'unit'],
  ['Kênh nộp', 'channel'],
  ['Ngày nộp', 'submitted'],
  ['Ngày tiếp nhận', 'received'],
  ['Hạn xử lý', 'due'],
  ['Ngày kết thúc xử lý', 'finished'],
  ['Ngày trả kết quả', 'returned'],
  ['Trạng thái', 'status'],
  ['Số hóa', 'digitised'],
  ['Xác thực VNeID', 'vneid'],
  ['Thanh toán trực tuyến', 'paidOnline'],
  ['Kết quả điện tử', 'electronicResult'],
  ['Chủ hồ sơ', 'person'],
  ['Số giấy tờ', 'idNumber'],
  ['Ngày cập nhật', 'updated'],
] as const;

/** A "Danh sach ho so" row: names instead of codes, Có/Không flags; times as text (CSV) or Excel dates (XLSX). */
export function dossierRow(f: DossierFacts, stt: number, excel: boolean): Record<string, unknown> {
  // exceljs stores a Date's UTC wall clock; shift so that the sheet shows local (UTC+7) time.
  const time = (v: number | null) => (v === null ? (excel ? null : '') : excel ? new Date(v + 7 * HOUR) : dmyMinute(v));
  const flag = (b: boolean) => (b ? 'Có' : 'Không');
  return {
    stt,
    code: f.code,
    procedure: f.procedure.code,
    procedureName: f.procedure.name,
    field: f.procedure.fieldName,
    unit: f.unit.code,
    channel: CHANNEL_NAMES[f.channel],
    submitted: time(f.submitted),
    received: time(f.received),
    due: time(f.due),
    finished: time(f.finished),
    returned: time(f.returned),
    status: STATUS_NAMES[f.status],
    digitised: flag(f.digitised),
    vneid: flag(f.vneid),
    paidOnline: flag(f.paidOnline),
    electronicResult: flag(f.electronicResult),
    person: f.person.name,
    idNumber: f.person.idNumber,
    updated: time(f.updated),
  };
}
