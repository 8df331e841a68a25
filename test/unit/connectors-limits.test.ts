// Caps on hostile files and fields (issue #17): every string field of the schemas has a maximum
// length, identifiers are printable, and files beyond the limits of connectors/common/limits.ts
// (size, record length, XLSX parts, inflated size, shared strings, rows, cells) are refused whole
// with a message naming the limit, before they are held in memory.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILE_LIMITS, FileLimitError, type FileLimits } from '../../connectors/common/limits.ts';
import { UnreadableFileError } from '../../connectors/common/readers/errors.ts';
import { readFile } from '../../connectors/files.ts';
import { MAPPERS } from '../../connectors/mappers.ts';
import { pseudonymiser } from '../../connectors/pii.ts';
import { failureOf } from '../../connectors/run.ts';
import type { RawRecord } from '../../connectors/types.ts';
import { canonicalEvent, rejectMessage, runMessage } from '../../schemas/events.ts';
import { IDENTIFIER, identifierProblem, MAX_LENGTH } from '../../schemas/limits.ts';

const dir = mkdtempSync(join(tmpdir(), 'chiso-limits-'));
const limits = (over: Partial<FileLimits>): FileLimits => ({ ...FILE_LIMITS, ...over });

/** The error readFile stops with (or undefined), and the records read before it. */
async function readAll(path: string, format: Parameters<typeof readFile>[1], l: FileLimits): Promise<{ error: Error | undefined; records: RawRecord[] }> {
  const records: RawRecord[] = [];
  try {
    for await (const r of readFile(path, format, 'ratings', l)) records.push(r);
    return { error: undefined, records };
  } catch (e) {
    return { error: e as Error, records };
  }
}

const RATINGS_CSV = 'MaDanhGia,MaDonVi,ThoiGian,MucDo\n' + Array.from({ length: 20 }, (_, i) => `DG-${i},X01,2025-03-01T09:00:00+07:00,HAI_LONG`).join('\n') + '\n';

async function workbook(name: string, rows: unknown[][], useSharedStrings = true): Promise<string> {
  const path = join(dir, name);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings, useStyles: false });
  const ws = wb.addWorksheet('Danh gia');
  for (const r of rows) ws.addRow(r).commit();
  ws.commit();
  await wb.commit();
  return path;
}

const ratingRows = (n: number) => [['MaDanhGia', 'MaDonVi', 'ThoiGian', 'MucDo'], ...Array.from({ length: n }, (_, i) => [`DG-${i}`, `X${i}`, '2025-03-01T09:00:00+07:00', 'HAI_LONG'])];

/** Every string schema under `s` (zod 4 definitions), with its path. */
function strings(s: unknown, path: string, out: [string, { check: string; maximum?: number; format?: string }[], string | undefined][]): void {
  const def = (s as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'string':
      out.push([path, ((def.checks as { _zod: { def: { check: string; maximum?: number; format?: string } } }[] | undefined) ?? []).map((c) => c._zod.def), def.format as string | undefined]);
      return;
    case 'object':
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) strings(v, `${path}.${k}`, out);
      return;
    case 'union':
      (def.options as unknown[]).forEach((o, i) => strings(o, `${path}|${i}`, out));
      return;
    case 'record':
      strings(def.keyType, `${path}{key}`, out);
      strings(def.valueType, `${path}{value}`, out);
      return;
    case 'nullable':
    case 'optional':
    case 'default':
      strings(def.innerType, path, out);
      return;
    default:
      return;
  }
}

describe('field limits (schemas/limits.ts)', () => {
  it('gives every string field of the events, rejects and runs a maximum length', () => {
    const found: Parameters<typeof strings>[2] = [];
    for (const [name, s] of [['event', canonicalEvent], ['reject', rejectMessage], ['run', runMessage]] as const) strings(s, name, found);
    expect(found.length).toBeGreaterThan(40);
    // A string is capped by a max_length check, or by a format of fixed shape (ISO times and days,
    // the 32-hex event id, the decimal offset).
    const uncapped = found.filter(([, checks, format]) => format === undefined && !checks.some((c) => c.check === 'max_length' || (c.check === 'string_format' && c.format === 'regex' && !checks.some((x) => x.check === 'min_length'))));
    expect(uncapped.map(([p]) => p)).toEqual([]);
    for (const [, checks] of found) for (const c of checks) if (c.check === 'max_length') expect(Object.values(MAX_LENGTH)).toContain(c.maximum);
  });

  it('matches identifiers exactly as the plain Unicode class would (its fast form is the same set)', () => {
    const plain = /^[^\p{C}\p{Zl}\p{Zp}\uFFFD]*$/u;
    const chars = fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', ' ', '\u0000', '\u007f', '\u0085', '\u200b', '\u202e', '\u2028', '\uFFFD', '\ud800', 'Đ', '\u{1F600}', '\uE000') }));
    fc.assert(fc.property(chars, (s) => IDENTIFIER.test(s) === plain.test(s)), { numRuns: 5000, seed: 17 });
    // Linear: a long almost-valid code is answered at once.
    expect(IDENTIFIER.test(`${'a\u00e9'.repeat(50_000)}\u0000`)).toBe(false);
  });

  it('says what is wrong with an identifier', () => {
    expect(identifierProblem('000.00.01.H12')).toBeUndefined();
    expect(identifierProblem('Phường Trần Phú 01')).toBeUndefined();
    expect(identifierProblem('U\u000001')).toMatch(/NUL byte \(U\+0000\) at character 2/);
    expect(identifierProblem('U\u0007')).toMatch(/control or invisible character \(U\+0007\)/);
    expect(identifierProblem('U\u200b1')).toMatch(/U\+200B/);
    expect(identifierProblem('U\uFFFD')).toMatch(/invalid UTF-8/);
    expect(identifierProblem('U\ud800')).toMatch(/lone surrogate/);
    expect(identifierProblem('x'.repeat(300))).toBe(`300 characters long (at most ${MAX_LENGTH.code})`);
    expect(identifierProblem('x'.repeat(MAX_LENGTH.code))).toBeUndefined();
  });

  it('rejects a record naming the field whose code is hostile, and one whose text is too long', () => {
    const map = (fields: Record<string, unknown>) =>
      MAPPERS.dossiers.map({ fields, origin: { uri: '/x.csv', line: 2 }, runId: 'r1', exportedAt: '2025-03-01T10:00:00+07:00', pseudonymise: pseudonymiser('k'.repeat(32)) });
    const good = { MaHoSo: 'HS-1', MaTTHC: '1.001', DonViXuLy: 'X01', TrangThaiHoSo: 4, KenhThucHien: 1, NgayTiepNhan: '2025-03-01T09:00:00+07:00', MaLinhVuc: 'LV1', TenTTHC: 'Khai sinh' };
    expect(map(good).kind).toBe('ok');
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ DonViXuLy: 'X\u000001' }, 'DonViXuLy', /DonViXuLy: contains a NUL byte/],
      [{ MaHoSo: 'H'.repeat(300) }, 'MaHoSo', /MaHoSo: 300 characters long \(at most 100\)/],
      [{ MaTTHC: '1.0\u001b[31m' }, 'MaTTHC', /MaTTHC: contains a control/],
      [{ MaLinhVuc: 'LV\uFFFD' }, 'MaLinhVuc', /MaLinhVuc: contains U\+FFFD.*invalid UTF-8/],
      [{ TenTTHC: 'x'.repeat(1001) }, 'TenTTHC', /TenTTHC: 1001 characters long \(at most 1000\)/],
    ];
    for (const [over, field, reason] of cases) {
      const r = map({ ...good, ...over });
      expect(r.kind, field).toBe('reject');
      if (r.kind === 'reject') {
        expect(r.field).toBe(field);
        expect(r.reason).toMatch(reason);
      }
    }
  });
});

describe('file limits (connectors/common/limits.ts)', () => {
  it('refuses a file larger than the limit before reading any of it', async () => {
    const path = join(dir, 'danh-gia.csv');
    writeFileSync(path, RATINGS_CSV);
    expect((await readAll(path, 'csv', FILE_LIMITS)).records).toHaveLength(20);
    const { error, records } = await readAll(path, 'csv', limits({ fileBytes: 100 }));
    expect(records).toEqual([]);
    expect(error).toBeInstanceOf(FileLimitError);
    expect(error?.message).toMatch(/danh-gia\.csv: refused, a CSV file of .* exceeds the limit of 100 bytes/);
    expect(failureOf(error)).toEqual({ code: 'FILE_LIMIT', retriable: false });
  });

  it('refuses a record longer than the limit in NDJSON, JSON and CSV (it would be held whole)', async () => {
    const long = 'x'.repeat(5000);
    const nd = join(dir, 'long.ndjson');
    writeFileSync(nd, `{"MaDanhGia":"DG-1"}\n{"MaDanhGia":"${long}"}\n`);
    const n = await readAll(nd, 'ndjson', limits({ recordBytes: 1000 }));
    expect(n.error).toBeInstanceOf(FileLimitError);
    expect(n.error?.message).toMatch(/line 2 is longer than the limit of one record/);
    const js = join(dir, 'long.json');
    writeFileSync(js, `[{"MaDanhGia":"DG-1"},{"MaDanhGia":"${long}"}]`);
    const j = await readAll(js, 'json', limits({ recordBytes: 1000 }));
    expect(j.error).toBeInstanceOf(UnreadableFileError);
    expect(j.error?.message).toMatch(/record 2 is longer than 1000 bytes/);
    const csv = join(dir, 'long.csv');
    writeFileSync(csv, `MaDanhGia,MaDonVi,ThoiGian,MucDo\nDG-1,${long},2025-03-01,HAI_LONG\n`);
    const c = await readAll(csv, 'csv', limits({ recordBytes: 1000 }));
    expect(c.error).toBeInstanceOf(UnreadableFileError);
    expect(c.error?.message).toMatch(/a record longer than 1000 bytes/);
  });

  it('refuses an XLSX beyond its file size, parts, declared size, shared strings, rows or cells', async () => {
    const path = await workbook('limits.xlsx', ratingRows(50));
    expect((await readAll(path, 'xlsx', FILE_LIMITS)).records).toHaveLength(50);
    const cases: [Partial<FileLimits>, RegExp][] = [
      [{ xlsxFileBytes: 1000 }, /a XLSX file of .* exceeds the limit of 1,000 bytes/],
      [{ xlsxEntries: 3 }, /the workbook has \d+ parts exceeds the limit of 3 parts/],
      [{ xlsxUncompressedBytes: 2000 }, /declares an uncompressed size of .* exceeds the limit of 2,000 bytes/],
      [{ xlsxSharedStrings: 20 }, /shared-string table holds more than \d+ strings exceeds the limit of 20 strings/],
      [{ xlsxRows: 10 }, /sheet Danh gia has more rows than 11 rows exceeds the limit of 10 rows/],
      [{ xlsxColumns: 3 }, /has 4 cells exceeds the limit of 3 cells/],
    ];
    for (const [over, message] of cases) {
      const { error } = await readAll(path, 'xlsx', limits(over));
      expect(error, JSON.stringify(over)).toBeInstanceOf(FileLimitError);
      expect(error?.message).toMatch(message);
    }
  });

  it('counts what an XLSX inflates to, whatever its zip directory declares', async () => {
    const path = await workbook('lying.xlsx', ratingRows(2000), false);
    // The central directory claims every part is empty: only the count while inflating catches it.
    const bytes = readFileSync(path);
    for (let p = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); p >= 0; p = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), p + 4)) bytes.writeUInt32LE(0, p + 24);
    const lying = join(dir, 'lying-patched.xlsx');
    writeFileSync(lying, bytes);
    const { error, records } = await readAll(lying, 'xlsx', limits({ xlsxUncompressedBytes: 50_000 }));
    expect(error).toBeInstanceOf(FileLimitError);
    expect(error?.message).toMatch(/the workbook inflates to more than .* exceeds the limit of 50,000 bytes/);
    expect(records.length).toBeLessThan(2000);
  });

  it('says a file that is not a zip is not a workbook', async () => {
    const path = join(dir, 'fake.xlsx');
    writeFileSync(path, 'MaDanhGia,MaDonVi\nDG-1,X01\n');
    const { error } = await readAll(path, 'xlsx', FILE_LIMITS);
    expect(error).toBeInstanceOf(UnreadableFileError);
    expect(error?.message).toMatch(/not a readable \.xlsx workbook/);
  });
});
