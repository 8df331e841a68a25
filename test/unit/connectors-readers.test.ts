// The streaming readers without a broker: the JSON record splitter fed in every possible chunking,
// NDJSON and CSV splitting, and property tests that no malformed record ever crashes a mapper and
// that every line of an export of any entity is accounted for (accepted, or rejected with a reason).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../connectors/common/readers/csv.ts';
import { csvRecords, splitCsv } from '../../lib/csv.ts';
import { JsonRecordSplitter, JsonSplitError } from '../../connectors/common/readers/json-splitter.ts';
import { readJson } from '../../connectors/common/readers/json.ts';
import { readNdjson } from '../../connectors/common/readers/ndjson.ts';
import { readXlsx } from '../../connectors/common/readers/xlsx.ts';
import { MAPPERS } from '../../connectors/mappers.ts';
import { pseudonymiser, redactJsonText } from '../../connectors/pii.ts';
import type { RawRecord } from '../../connectors/types.ts';
import { entityName } from '../../schemas/events.ts';

/** Feeds a document to the splitter in pieces of the given size and collects the records' texts. */
function split(doc: string | Buffer, size: number): { records: string[]; end: ReturnType<JsonRecordSplitter['end']> } {
  const bytes = typeof doc === 'string' ? Buffer.from(doc, 'utf8') : doc;
  const s = new JsonRecordSplitter();
  const records: string[] = [];
  for (let i = 0; i < bytes.length; i += size) for (const r of s.push(bytes.subarray(i, i + size))) records.push(r.toString('utf8'));
  return { records, end: s.end() };
}

async function* pieces(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const b = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function collect(it: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const TRICKY = [{ a: 'x"]},{[' }, { b: '\\"\\\\', c: [1, [2, { d: '}' }]] }, { e: 'Nguyễn Văn An 😀', f: null }, { g: '\n\t' }];

describe('JSON record splitter', () => {
  const array = `\uFEFF [ ${TRICKY.map((r) => JSON.stringify(r)).join(' ,\n ')} ] `;
  const wrapped = JSON.stringify({ meta: { data: 'not this', list: [1, 2] }, total: 4, data: TRICKY, page: 1 });

  it('splits a top-level array and a { "data": [...] } object into the same records, whatever the chunk size', () => {
    for (const doc of [array, wrapped]) {
      for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
        const { records, end } = split(doc, size);
        expect(records.map((r) => JSON.parse(r) as unknown), `size ${size}`).toEqual(TRICKY);
        expect(end).toEqual({ kind: 'done' });
      }
    }
  });

  it('hands back scalars and empty arrays as they are', () => {
    expect(split('[1, "a,b", true, null]', 3).records).toEqual(['1', '"a,b"', 'true', 'null']);
    expect(split('[]', 1)).toEqual({ records: [], end: { kind: 'done' } });
    expect(split('{"data": []}', 2).records).toEqual([]);
  });

  it('reports a document cut inside a record, with the part that arrived', () => {
    const { records, end } = split('[{"a":1},{"b":"x', 4);
    expect(records).toEqual(['{"a":1}']);
    expect(end.kind).toBe('truncated');
    expect(end.kind === 'truncated' && end.partial?.toString()).toBe('{"b":"x');
  });

  it('takes a top-level object without "data" as one bare record', () => {
    const { records, end } = split('{"hoSo": {"MaHoSo": "HS-1"}, "tienTrinhDongBo": []}', 5);
    expect(records).toEqual([]);
    expect(end.kind === 'bare' && JSON.parse(end.record.toString())).toEqual({ hoSo: { MaHoSo: 'HS-1' }, tienTrinhDongBo: [] });
  });

  it('refuses what is not JSON at all', () => {
    expect(() => split('Báo cáo tháng 4', 4)).toThrow(JsonSplitError);
  });

  it('splits any array of JSON values exactly as JSON.parse reads it (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), (values, size, wrap) => {
        const doc = wrap ? JSON.stringify({ x: values, data: values }) : JSON.stringify(values, null, size % 3);
        const { records, end } = split(doc, size);
        expect(records.map((r) => JSON.parse(r) as unknown)).toEqual(JSON.parse(JSON.stringify(values)));
        expect(end).toEqual({ kind: 'done' });
      }),
      { numRuns: 200 },
    );
  });
});

describe('file readers', () => {
  it('NDJSON: a bad or truncated line is a record with a parse error, an undecodable one keeps its bytes, the rest goes on', async () => {
    const text = Buffer.concat([
      Buffer.from('{"a":1}\r\n\n{"b":\n'),
      Buffer.from([0x7b, 0x22, 0x63, 0x22, 0x3a, 0x22, 0xe0, 0x22, 0x7d, 0x0a]),
      Buffer.from('{"d":"Vũ"}'),
    ]);
    const recs = await collect(readNdjson('x.ndjson', pieces(text, 3)));
    expect(recs.map((r) => r.origin.line)).toEqual([1, 3, 4, 5]);
    expect(recs[0]?.fields).toEqual({ a: 1 });
    expect(recs[1]?.fields).toHaveProperty('parseError');
    expect(recs[2]?.originalEncoding).toBe('base64');
    expect(Buffer.from(recs[2]?.original ?? '', 'base64')).toEqual(text.subarray(text.indexOf(0xe0) - 6, text.indexOf(0xe0) + 3));
    expect(recs[3]?.fields).toEqual({ d: 'Vũ' });
  });

  it('JSON: a truncated export rejects only the cut record', async () => {
    const recs = await collect(readJson('x.json', pieces('[{"a":1}, {"b":2}, {"c":', 5)));
    expect(recs.map((r) => [r.origin.line, 'parseError' in r.fields])).toEqual([[1, false], [2, false], [3, true]]);
  });

  it('CSV: RFC 4180 quotes, separators inside quotes, line breaks inside quotes, CRLF', async () => {
    expect(splitCsv('a;"b;c";"d ""e""";', ';')).toEqual(['a', 'b;c', 'd "e"', '']);
    const recs = [];
    for await (const r of csvRecords(pieces('\uFEFFh1,h2\r\n"x\r\ny",2\r\nz,3', 2))) recs.push([r.line, r.bytes.toString()]);
    expect(recs).toEqual([[1, 'h1,h2'], [2, '"x\r\ny",2'], [4, 'z,3']]);

    // A stray quote inside a field (an inch mark) does not open a quoted field.
    const stray = [];
    for await (const r of csvRecords(pieces('a;Ống 5" inox;1\nb;"c ""d""\ne";2\nf;g;3\n', 4))) stray.push([r.line, r.bytes.toString()]);
    expect(stray).toEqual([[1, 'a;Ống 5" inox;1'], [2, 'b;"c ""d""\ne";2'], [4, 'f;g;3']]);
    expect(splitCsv('a;Ống 5" inox;1', ';')).toEqual(['a', 'Ống 5" inox', '1']);
  });

  it('CSV: finds the header below a title block and redacts personal columns in the original text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chiso-csv-'));
    const path = join(dir, 'danh-gia.csv');
    writeFileSync(path, 'UBND XÃ A\nBÁO CÁO; tháng 4\n\nMã đánh giá;Đơn vị;Thời gian;Mức độ;Số điện thoại\nDG-1;X01;01/04/2025;Hài lòng;0912345678\n');
    const recs = await collect(readCsv(path, MAPPERS.ratings.fields));
    expect(recs).toHaveLength(1);
    expect(recs[0]?.origin.line).toBe(5);
    expect(recs[0]?.fields).toMatchObject({ 'Mã đánh giá': 'DG-1', 'Mức độ': 'Hài lòng' });
    expect(recs[0]?.original).toBe('DG-1;X01;01/04/2025;Hài lòng;[redacted]');
  });
});

describe('xlsx reader', () => {
  it('keeps Vietnamese text whole across the zip chunks exceljs reads, inline and shared strings alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chiso-xlsx-unit-'));
    const levels = ['Rất hài lòng', 'Hài lòng', 'Không hài lòng'];
    for (const useSharedStrings of [false, true]) {
      const path = join(dir, `danh-gia-${useSharedStrings}.xlsx`);
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings, useStyles: true });
      const ws = wb.addWorksheet('Đánh giá');
      ws.addRow(['BÁO CÁO ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG']).commit();
      ws.addRow(['Mã đánh giá', 'Đơn vị', 'Thời gian', 'Mức độ', 'Ghi chú']).commit();
      // Enough rows for the sheet to span many chunks; distinct notes so shared strings are many.
      for (let i = 0; i < 4000; i++) ws.addRow([`DG-${i}`, 'X01', new Date(Date.UTC(2025, 0, 1 + (i % 28), 9)), levels[i % 3], `Ý kiến số ${i}: thủ tục nhanh, cán bộ nhiệt tình`]).commit();
      ws.commit();
      await wb.commit();
      const recs = await collect(readXlsx(path, MAPPERS.ratings.fields));
      expect(recs).toHaveLength(4000);
      const bad = recs.filter((r, i) => JSON.stringify(r.fields).includes('\uFFFD') || (r.fields as Record<string, unknown>)['Mức độ'] !== levels[i % 3]);
      expect(bad.map((r) => r.origin.line), `shared strings: ${useSharedStrings}`).toEqual([]);
      expect(recs[0]?.origin).toEqual({ uri: path, line: 3, sheet: 'Đánh giá' });
      expect((recs[0]?.fields as Record<string, unknown>)['Thời gian']).toEqual(new Date(Date.UTC(2025, 0, 1, 9)));
    }
  });
});

describe('personal data in originals', () => {
  it('redacts personal fields at any depth, in whole and in truncated JSON', () => {
    const whole = redactJsonText('{"hoSo":{"MaHoSo":"HS-1","ChuHoSo":"Nguyễn Văn An","DinhDanhCHS":[{"SoDinhDanh":"001"}]},"tienTrinhDongBo":[{"NguoiXuLy":"Bình"}]}');
    expect(JSON.parse(whole)).toEqual({ hoSo: { MaHoSo: 'HS-1', ChuHoSo: '[redacted]', DinhDanhCHS: '[redacted]' }, tienTrinhDongBo: [{ NguoiXuLy: '[redacted]' }] });
    const cut = redactJsonText('{"hoSo": {"MaHoSo": "HS-9", "SoDienThoai": 912345678, "Email": "a@b.vn", "ChuHoSo": "Nguyễn V');
    expect(cut).not.toMatch(/912345678|a@b\.vn|Nguyễn/);
    expect(cut).toContain('HS-9');
  });
});

describe('mappers never crash', () => {
  const hash = pseudonymiser('0123456789abcdef0123');
  const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: false }), fc.array(fc.jsonValue(), { maxLength: 2 }), fc.jsonValue());
  const names = ['MaHoSo', 'MaTTHC', 'DonViXuLy', 'KenhThucHien', 'NgayTiepNhan', 'NgayKetThucXuLy', 'TrangThaiHoSo', 'TaiLieuNop', 'MaVanBan', 'LoaiSo', 'MaDonVi', 'NgayBanHanh', 'HinhThuc', 'KySo', 'DoMat', 'MaHoSoCongViec', 'NgayMo', 'NgayDong', 'MucDo', 'HieuLucTu', 'HieuLucDen', 'MaGiaoDich', 'SoTien', 'TrangThai', 'ThoiGian', 'MaDanhGia', 'NgayCapNhat', 'hoSo', 'Mã hồ sơ'];
  const record = fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string()), value, { maxKeys: 14 });

  it('turns any record into an event or a reject naming a reason (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...entityName.options), record, (entity, fields) => {
        const r = MAPPERS[entity].map({ fields, origin: { uri: 'prop', line: 1 }, runId: 'run-1', exportedAt: '2025-04-01T00:00:00+07:00', pseudonymise: hash });
        expect(['ok', 'reject']).toContain(r.kind);
        if (r.kind === 'reject') expect(r.reason.length).toBeGreaterThan(0);
        else expect(r.event.entity).toBe(entity);
      }),
      { numRuns: 1500 },
    );
  });

  // A whole export of every entity, line by line: records (good or not), truncated JSON, text that
  // is not JSON, bytes that are not UTF-8 and blank lines, cut into random chunks. What runIngestion
  // does with each record read: a parse error is a reject, anything else goes to the mapper.
  const line = fc.oneof(
    record.map((r) => Buffer.from(JSON.stringify(r))),
    record.map((r) => Buffer.from(JSON.stringify(r).slice(0, -3))),
    fc.string({ minLength: 1 }).filter((t) => t.trim() !== '' && !/[\r\n]/.test(t)).map((t) => Buffer.from(t)),
    fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe0, 0x80, 0x22, 0x7d])),
    fc.constant(Buffer.from('')),
  );

  it('accounts for every line of any export of every entity: accepted, or rejected with a reason (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...entityName.options), fc.array(line, { maxLength: 12 }), fc.integer({ min: 1, max: 64 }), async (entity, lines, size) => {
        const text = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
        let accepted = 0;
        let rejected = 0;
        for (const raw of await collect(readNdjson('prop.ndjson', pieces(text, size)))) {
          if ('parseError' in raw.fields && typeof raw.fields.parseError === 'string') {
            expect(raw.fields.parseError.length).toBeGreaterThan(0);
            rejected++;
            continue;
          }
          const r = MAPPERS[entity].map({ fields: raw.fields as Record<string, unknown>, origin: raw.origin, runId: 'run-1', exportedAt: '2025-04-01T00:00:00+07:00', pseudonymise: hash });
          if (r.kind === 'reject') {
            expect(r.reason.length).toBeGreaterThan(0);
            rejected++;
          } else accepted++;
        }
        const nonBlank = lines.filter((l) => l.toString('latin1').trim() !== '').length;
        expect(accepted + rejected).toBe(nonBlank);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an invalid Date cell instead of throwing', () => {
    const r = MAPPERS.ratings.map({ fields: { MaDanhGia: 'DG-1', MaDonVi: 'X01', ThoiGian: new Date(Number.NaN), MucDo: 'Hài lòng' }, origin: { uri: 'x', line: 1 }, runId: 'r', exportedAt: '2025-04-01T00:00:00+07:00', pseudonymise: hash });
    expect(r).toEqual({ kind: 'reject', field: 'ThoiGian', reason: 'ThoiGian: unparseable date "Invalid Date"' });
  });
});
