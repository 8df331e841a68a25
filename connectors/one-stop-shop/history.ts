// The parts of a one-stop-shop dossier that are lists: the processing history (tienTrinhDongBo), the
// submitted components (TaiLieuNop), the fees (DanhSachLePhi) and the result documents
// (DanhSachGiayToKetQua). What chiso keeps of each (SOURCES.md section 1, INDEX766.md):
// - history: the status each step entered (TrangThai, in TrangThaiHoSo's codes) and when
//   (ThoiDiemXuLy), sorted by time; NguoiXuLy (personal), ChucDanh, PhongBanXuLy, NoiDungXuLy,
//   NgayBatDau, NgayKetThucTheoQuyDinh and any other step field are dropped;
// - components: flags only (a file or DuocSoHoa, DuocTaiSuDung, DuocLayTuKhoDMQG) and the count;
// - fees: whether one has Gia > 0.
// A list of the wrong type (a number, an object, text that is not a JSON array), a history longer
// than MAX_STEPS, a step without a valid status or time, or a fee whose Gia is not an amount makes the
// whole dossier a reject naming the place (e.g. tienTrinhDongBo[3].TrangThai): a step skipped in
// silence could turn a late dossier into an on-time one (the end of processing and the supplement
// waits of Decision 766's 2.1 come from the history), so the dossier waits for a corrected export.
import { MAX_STEPS } from '../../schemas/events.ts';
import { DOSSIER_STATUS, parseCode } from '../common/codes.ts';
import { type Parsed, parseTime, toInstant } from '../common/dates.ts';
import { FieldReader, type FieldSpec } from '../common/fields.ts';
import { asText, quote } from '../common/text.ts';
import { parseFlag, parseNumber } from '../common/values.ts';

/** The most elements read of a list of components, fees or results; a longer one is a reject. */
export const MAX_LIST = 10_000;

export type Problem = { field: string; reason: string };
export type Listed<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const STEP = {
  status: { name: 'TrangThai', aliases: ['TrangThaiHoSo', 'TrangThaiId'] },
  at: { name: 'ThoiDiemXuLy', aliases: ['Thoi diem xu ly'] },
} as const satisfies Record<string, FieldSpec>;

/**
 * An array field: a JSON array, or its text (a spreadsheet cell, a system that sends the list as a
 * JSON string). Absent, null or empty text is an empty list; anything else, or more than `max`
 * elements, is a problem. Elements that are not objects are left to the caller.
 */
export function listOf(name: string, v: unknown, max: number): Listed<unknown[]> {
  let x = v;
  if (x === undefined || x === null || (typeof x === 'string' && x.trim() === '')) return { ok: true, value: [] };
  if (typeof x === 'string' && x.trim().startsWith('[')) {
    try {
      x = JSON.parse(x);
    } catch {
      return { ok: false, problem: { field: name, reason: `${name}: not a JSON array (${quote(v)})` } };
    }
  }
  if (!Array.isArray(x)) return { ok: false, problem: { field: name, reason: `${name}: expected an array, found ${typeof x === 'object' ? 'an object' : quote(x)}` } };
  if (x.length > max) return { ok: false, problem: { field: name, reason: `${name}: ${x.length} elements (at most ${max})` } };
  return { ok: true, value: x };
}

/**
 * A required field of a step, parsed: by its exact name first (what the sync payload sends, and no
 * allocation: a history may hold hundreds of steps), else under any spelling FieldReader matches.
 */
function stepValue<T>(e: Record<string, unknown>, spec: FieldSpec, parse: (v: unknown) => Parsed<T>): Parsed<T> {
  const v = spec.name in e ? e[spec.name] : new FieldReader(e).find(spec)?.value;
  if (asText(v) === '') return { ok: false, error: 'missing' };
  return parse(v);
}

const isObject = (e: unknown): e is Record<string, unknown> => e !== null && typeof e === 'object' && !Array.isArray(e);

/** The elements that are objects (anything else in a component or result list carries nothing). */
export function objects(list: readonly unknown[]): Record<string, unknown>[] {
  return list.filter(isObject);
}

export interface Step {
  status: number;
  at: string;
}

/** tienTrinhDongBo as steps sorted by time (ties keep the export's order), or the first problem. */
export function readSteps(v: unknown): Listed<Step[]> {
  const name = 'tienTrinhDongBo';
  const list = listOf(name, v, MAX_STEPS);
  if (!list.ok) return list;
  const steps: (Step & { ms: number })[] = [];
  for (const [i, e] of list.value.entries()) {
    const where = `${name}[${i}]`;
    if (!isObject(e)) return { ok: false, problem: { field: where, reason: `${where}: expected a step object, found ${quote(e)}` } };
    const status = stepValue(e, STEP.status, (v) => parseCode(DOSSIER_STATUS, v));
    if (!status.ok) return { ok: false, problem: { field: `${where}.${STEP.status.name}`, reason: `${where}.${STEP.status.name}: ${status.error}` } };
    const at = stepValue(e, STEP.at, parseTime);
    if (!at.ok) return { ok: false, problem: { field: `${where}.${STEP.at.name}`, reason: `${where}.${STEP.at.name}: ${at.error}` } };
    steps.push({ status: Number(status.value), at: at.value, ms: toInstant(at.value) ?? 0 });
  }
  steps.sort((a, b) => a.ms - b.ms);
  return { ok: true, value: steps.map(({ status, at }) => ({ status, at })) };
}

const yes = (v: unknown) => {
  const r = parseFlag(v);
  return r.ok && r.value;
};

export interface ComponentFlags {
  count: number;
  digitised: boolean;
  reused: boolean;
  withFile: boolean;
  fromNational: boolean;
}

/** What chiso keeps of TaiLieuNop: the count and four flags. */
export function componentFlags(components: readonly Record<string, unknown>[]): ComponentFlags {
  return {
    count: components.length,
    digitised: components.some((c) => yes(c.DuocSoHoa)),
    reused: components.some((c) => yes(c.DuocTaiSuDung)),
    withFile: components.some((c) => asText(c.TenTepDinhKem) !== '' || yes(c.DuocSoHoa)),
    fromNational: components.some((c) => yes(c.DuocLayTuKhoDMQG)),
  };
}

/** DanhSachLePhi: whether a fee has Gia > 0 (an empty Gia is 0); a Gia that is not a non-negative number is a problem. */
export function hasFee(v: unknown): Listed<boolean> {
  const name = 'DanhSachLePhi';
  const list = listOf(name, v, MAX_LIST);
  if (!list.ok) return list;
  let any = false;
  for (const [i, e] of list.value.entries()) {
    if (!isObject(e)) continue;
    if (asText(e.Gia) === '') continue;
    const gia = parseNumber(e.Gia, { integer: true });
    if (!gia.ok || gia.value < 0) {
      const field = `${name}[${i}].Gia`;
      return { ok: false, problem: { field, reason: `${field}: not a non-negative amount ${quote(e.Gia)}` } };
    }
    if (gia.value > 0) any = true;
  }
  return { ok: true, value: any };
}
