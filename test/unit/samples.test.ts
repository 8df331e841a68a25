// The sample generator: deterministic for a seed, one unit tree rooted at T01, consistent dates
// except in the deliberate bad rows, which are where the manifest says.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSamples, type Manifest } from '../../infra/samples/generate.ts';

const opts = { from: '2025-01-01', to: '2025-01-14', scale: 1, seed: 'unit-test' };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

async function xlsxValues(path: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const rows: unknown[][] = [];
  wb.worksheets[0]!.eachRow((row) => rows.push(JSON.parse(JSON.stringify(row.values)) as unknown[]));
  return rows;
}

/** The lines of a text file (CRLF or LF), blank ones kept so that line numbers hold; no trailing empty one. */
const lines = (p: string) => readFileSync(p, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/);

describe('sample generator', () => {
  const a = mkdtempSync(join(tmpdir(), 'chiso-samples-a-'));
  const b = mkdtempSync(join(tmpdir(), 'chiso-samples-b-'));
  let manifest: Manifest;

  beforeAll(async () => {
    manifest = await generateSamples({ ...opts, out: a });
    await generateSamples({ ...opts, out: b });
  });

  it('gives the same exports for the same seed, and others for another seed', async () => {
    const list = files(a).map((p) => relative(a, p)).sort();
    expect(list).toEqual(files(b).map((p) => relative(b, p)).sort());
    for (const f of list) {
      if (f.endsWith('.xlsx')) expect(await xlsxValues(join(a, f))).toEqual(await xlsxValues(join(b, f)));
      else expect(sha(join(a, f)), f).toBe(sha(join(b, f)));
    }
    const c = mkdtempSync(join(tmpdir(), 'chiso-samples-c-'));
    await generateSamples({ ...opts, seed: 'another', out: c });
    expect(sha(join(c, 'one-stop-shop/dossiers.ndjson'))).not.toBe(sha(join(a, 'one-stop-shop/dossiers.ndjson')));
  });

  it('writes units.csv as one tree rooted at T01 (the committed one too)', () => {
    for (const path of [join(a, 'units.csv'), 'infra/samples/data/units.csv']) {
      const [header, ...rows] = lines(path).map((l) => l.split(','));
      expect(header).toEqual(['code', 'name', 'level', 'parent_code', 'valid_from', 'valid_to']);
      const parent = new Map(rows.map((r) => [r[0]!, r[3]!]));
      expect([...parent].filter(([, p]) => p === '').map(([c]) => c)).toEqual(['T01']);
      for (const code of parent.keys()) {
        let at = code;
        for (let hops = 0; at !== 'T01'; hops++) {
          expect(hops, `${code} does not reach T01`).toBeLessThan(5);
          at = parent.get(at)!;
          expect(parent.has(at), `parent ${at} of ${code} is not a unit`).toBe(true);
        }
      }
      expect(rows.filter((r) => r[2] === 'XA').map((r) => r[0])).toEqual(['X0101', 'X0102', 'X0103', 'X0104', 'X0201', 'X0202', 'X0203']);
    }
  });

  it('keeps dossier dates consistent except in the deliberate bad rows, which are where the manifest says', () => {
    const f = manifest.files['one-stop-shop/dossiers.ndjson']!;
    expect(f.bad.map((x) => x.kind).sort()).toEqual(['missing-id', 'received-after-finished', 'unknown-code', 'unparseable-date']);
    const badLines = new Set(f.bad.map((x) => x.location));
    const all = lines(join(a, 'one-stop-shop/dossiers.ndjson')).map((l) => (JSON.parse(l) as { hoSo: Record<string, string> }).hoSo);
    expect(all.length).toBe(f.records);
    all.forEach((rec, i) => {
      // Dates absent from a record read as '' here, as the generator writes them.
      const h = new Proxy(rec, { get: (r, k: string) => r[k] ?? '' }) as Record<'MaHoSo' | 'KenhThucHien' | 'NgayNopHoSo' | 'NgayTiepNhan' | 'NgayKetThucXuLy' | 'NgayTra' | 'TrangThaiHoSo', string>;
      // yyyyMMddHHmmss compares in time order as text.
      const ok = (x: unknown) => typeof x === 'string' && /^\d{14}$/.test(x);
      const bad = badLines.has(i + 1);
      const consistent =
        h.MaHoSo !== '' &&
        [1, 2, 3].includes(Number(h.KenhThucHien)) &&
        ok(h.NgayNopHoSo) &&
        (h.NgayTiepNhan === '' || (ok(h.NgayTiepNhan) && h.NgayNopHoSo <= h.NgayTiepNhan)) &&
        (h.NgayKetThucXuLy === '' || (ok(h.NgayKetThucXuLy) && h.NgayTiepNhan <= h.NgayKetThucXuLy)) &&
        (h.NgayTra === '' || h.NgayKetThucXuLy <= h.NgayTra) &&
        (h.NgayTiepNhan !== '' || [1, 3].includes(Number(h.TrangThaiHoSo)));
      expect(consistent, `line ${i + 1}: ${JSON.stringify(h).slice(0, 200)}`).toBe(!bad);
    });
    // Realistic rates: mostly online, some without a due date, personal data to pseudonymise.
    const received = all.filter((h) => h.NgayTiepNhan !== '');
    const online = received.filter((h) => Number(h.KenhThucHien) === 2).length / received.length;
    expect(online).toBeGreaterThan(0.5);
    expect(online).toBeLessThan(0.95);
    expect(all.some((h) => h.NgayHenTra === '')).toBe(true);
    expect(all.every((h) => /^099\d{9}$/.test(String(h.SoGiayToChuHoSo)))).toBe(true);
  });

  it('slips the bad rows of every entity into its export', () => {
    for (const [path, entity] of [
      ['document-management/documents.ndjson', 'documents'],
      ['document-management/work-records.ndjson', 'work-records'],
      ['public-service-portal/payments.ndjson', 'payments'],
      ['public-service-portal/ratings.ndjson', 'ratings'],
      ['public-service-portal/services.json', 'services'],
      ['one-stop-shop/dossiers-danh-sach-ho-so.csv', 'dossiers'],
      ['one-stop-shop/dossiers-danh-sach-ho-so.xlsx', 'dossiers'],
    ] as const) {
      const f = manifest.files[path]!;
      expect(f.entity).toBe(entity);
      expect(f.bad.length, path).toBeGreaterThanOrEqual(2);
    }
    const docs = lines(join(a, 'document-management/documents.ndjson'));
    for (const bad of manifest.files['document-management/documents.ndjson']!.bad) {
      const rec = JSON.parse(docs[bad.location - 1]!) as Record<string, string>;
      if (bad.kind === 'missing-id') expect(rec.MaVanBan).toBe('');
      if (bad.kind === 'unparseable-date') expect(rec.NgayBanHanh).toBe('30/02/2025');
      if (bad.kind === 'unknown-code') expect(rec.KySo).toBe('CA_NUOC_NGOAI');
    }
    const csv = lines(join(a, 'one-stop-shop/dossiers-danh-sach-ho-so.csv'));
    expect(csv[0]!.replace('\uFEFF', '')).toBe('UBND TỈNH SÔNG HỒNG');
    for (const bad of manifest.files['one-stop-shop/dossiers-danh-sach-ho-so.csv']!.bad) {
      expect(csv[bad.location - 1]).toMatch(bad.kind === 'unknown-code' ? /Đang chờ duyệt/ : /32\/01\/2025/);
    }
  });

  it('carry what the Decision 766 index reads: histories with supplement requests, component files, fees, and the catalogue\'s paper results and deadlines', () => {
    const bad = new Set(manifest.files['one-stop-shop/dossiers.ndjson']!.bad.map((x) => x.location));
    type Step = { TrangThai: number; ThoiDiemXuLy: string; NguoiXuLy: string };
    type Rec = { hoSo: Record<string, unknown> & { TaiLieuNop: { TenTepDinhKem: string }[]; DanhSachLePhi: { Gia: number }[] }; tienTrinhDongBo: Step[] };
    const all = lines(join(a, 'one-stop-shop/dossiers.ndjson')).map((l) => JSON.parse(l) as Rec).filter((_, i) => !bad.has(i + 1));
    const statuses = (r: Rec) => [...r.tienTrinhDongBo].sort((x, y) => x.ThoiDiemXuLy.localeCompare(y.ThoiDiemXuLy)).map((s) => s.TrangThai).join(',');
    // A request answered (5 then back to 4) in finished dossiers, and requests still open.
    expect(all.filter((r) => /,5,4,.*9/.test(statuses(r))).length).toBeGreaterThan(5);
    expect(all.filter((r) => r.hoSo.TrangThaiHoSo === 5 && statuses(r).endsWith(',5')).length).toBeGreaterThan(0);
    for (const r of all) {
      // Every step at or after reception (or refusal), each with its handler (dropped by the connector).
      const first = String(r.hoSo.NgayTiepNhan || r.hoSo.NgayTuChoi);
      for (const s of r.tienTrinhDongBo) {
        expect(s.ThoiDiemXuLy >= first, `${String(r.hoSo.MaHoSo)}: ${s.ThoiDiemXuLy}`).toBe(true);
        expect(s.NguoiXuLy).not.toBe('');
      }
    }
    const files = all.flatMap((r) => r.hoSo.TaiLieuNop.map((c) => c.TenTepDinhKem !== ''));
    expect(files.filter(Boolean).length).toBeGreaterThan(0);
    expect(files.filter((x) => !x).length).toBeGreaterThan(0);
    expect(all.some((r) => r.hoSo.DanhSachLePhi.some((f) => f.Gia > 0))).toBe(true);
    const services = (JSON.parse(readFileSync(join(a, 'public-service-portal/services.json'), 'utf8')) as { data: Record<string, unknown>[] }).data;
    expect(new Set(services.map((x) => x.CoKetQuaGiay))).toEqual(new Set([true, false]));
    expect(services.some((x) => typeof x.ThoiHanGiaiQuyet === 'number' && x.ThoiHanGiaiQuyet > 0)).toBe(true);
    expect(services.some((x) => x.ThoiHanGiaiQuyet === '')).toBe(true);
  });
});
