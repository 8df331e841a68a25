// The value parsers of SOURCES.md: dates (every accepted form, Asia/Ho_Chi_Minh without an offset,
// impossible dates refused), flags, numbers with grouping or a decimal comma, codes in all spellings.
import { describe, expect, it } from 'vitest';
import { CHANNEL, DOSSIER_STATUS, ONLINE_LEVEL, parseCode, PAYMENT_METHOD, SATISFACTION, SIGNATURE } from '../../connectors/common/codes.ts';
import { parseDay, parseTime } from '../../connectors/common/dates.ts';
import { FieldReader } from '../../connectors/common/fields.ts';
import { fold, headingKey } from '../../connectors/common/text.ts';
import { parseAmount, parseFlag, parseNumber } from '../../connectors/common/values.ts';

const ok = <T>(value: T) => ({ ok: true, value });

describe('dates and times', () => {
  it.each([
    ['20250115083000', '2025-01-15T08:30:00+07:00'],
    [20250115083000, '2025-01-15T08:30:00+07:00'],
    ['15/01/2025', '2025-01-15T00:00:00+07:00'],
    ['15/01/2025 08:30', '2025-01-15T08:30:00+07:00'],
    ['15/01/2025 08:30:45', '2025-01-15T08:30:45+07:00'],
    ['5/1/2025', '2025-01-05T00:00:00+07:00'],
    ['2025-01-15T08:30:00', '2025-01-15T08:30:00+07:00'],
    ['2025-01-15 08:30', '2025-01-15T08:30:00+07:00'],
    ['2025-01-15T01:30:00Z', '2025-01-15T08:30:00+07:00'],
    ['2025-01-15T08:30:00.123+07:00', '2025-01-15T08:30:00+07:00'],
    ['2025-01-14T20:30:00-05:00', '2025-01-15T08:30:00+07:00'],
    ['2025-01-15', '2025-01-15T00:00:00+07:00'],
    [45672, '2025-01-15T00:00:00+07:00'],
    [45672.5, '2025-01-15T12:00:00+07:00'],
    ['45672.75', '2025-01-15T18:00:00+07:00'],
    [new Date(Date.UTC(2025, 0, 15, 8, 30)), '2025-01-15T08:30:00+07:00'],
  ])('%s is %s', (input, expected) => {
    expect(parseTime(input)).toEqual(ok(expected));
  });

  it.each(['31/02/2025', '29/02/2025', '2025-13-01', '15/01/2025 24:00', 'hôm qua', '2025/01/15', '', '1/1/25', '00/01/2025'])('refuses %j, quoting it', (input) => {
    const r = parseTime(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe(`unparseable date ${JSON.stringify(input)}`);
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseDay('29/02/2024')).toEqual(ok('2024-02-29'));
  });

  it('gives the Ho Chi Minh City day of a time with another offset', () => {
    expect(parseDay('2025-01-14T18:00:00Z')).toEqual(ok('2025-01-15'));
    expect(parseDay('15/01/2025 23:59')).toEqual(ok('2025-01-15'));
  });
});

describe('flags', () => {
  it.each([
    [1, true], [0, false], ['1', true], ['0', false], [true, true], [false, false], ['true', true], ['FALSE', false],
    ['Có', true], ['co', true], ['CÓ', true], ['Không', false], ['khong', false], ['x', true], ['X', true], ['', false], [null, false],
  ])('%j is %s', (input, expected) => {
    expect(parseFlag(input)).toEqual(ok(expected));
  });

  it.each(['maybe', '2', 'có lẽ', 7])('refuses %j', (input) => {
    expect(parseFlag(input).ok).toBe(false);
  });
});

describe('numbers', () => {
  it.each([
    ['1.250.000', 1_250_000], ['1,250,000', 1_250_000], ['1250000', 1_250_000], ['1.250', 1250], ['1 250 000', 1_250_000],
    ['30.000 đ', 30_000], ['1.250.000,50', 1_250_000.5], [1_250_000, 1_250_000],
  ])('amount-style %j is %d', (input, expected) => {
    expect(parseNumber(input, { integer: true })).toEqual(ok(expected));
  });

  it.each([
    ['12,8', 12.8], ['12.8', 12.8], ['1.250,5', 1250.5], ['1,250.5', 1250.5], ['1.250.000', 1_250_000], ['-3,5', -3.5],
  ])('decimal %j is %d', (input, expected) => {
    expect(parseNumber(input, { integer: false })).toEqual(ok(expected));
  });

  it('refuses amounts that are not whole and non-negative', () => {
    expect(parseAmount('12,8').ok).toBe(false);
    expect(parseAmount('-5').ok).toBe(false);
    expect(parseAmount('abc').ok).toBe(false);
    expect(parseAmount('1.25.000').ok).toBe(false);
  });
});

describe('codes', () => {
  it('reads the code, its Vietnamese name in any case with or without diacritics, and the slug', () => {
    for (const s of ['RAT_HAI_LONG', 'Rất hài lòng', 'RẤT HÀI LÒNG', 'Rat hai long', 'rat-hai-long']) expect(parseCode(SATISFACTION, s)).toEqual(ok('very_satisfied'));
    for (const s of [2, '2', 'Trực tuyến', 'truc-tuyen', 'TRUC_TUYEN']) expect(parseCode(CHANNEL, s)).toEqual(ok('online'));
    expect(parseCode(PAYMENT_METHOD, 'tien-mat')).toEqual(ok('in_person'));
    expect(parseCode(DOSSIER_STATUS, 'Đã trả kết quả')).toEqual(ok('10'));
    expect(parseCode(DOSSIER_STATUS, 'Yêu cầu thực hiện nghĩa vụ tài chính')).toEqual(ok('6'));
    expect(parseCode(SIGNATURE, 'Chuyên dùng')).toEqual(ok('specialised'));
  });

  it('reads the older levels of online provision: 4 full, 3 partial, 2 and 1 none', () => {
    expect([4, 3, 2, 1, '4'].map((v) => parseCode(ONLINE_LEVEL, v))).toEqual([ok('full'), ok('partial'), ok('none'), ok('none'), ok('full')]);
  });

  it('never guesses: an unknown code is an error quoting it', () => {
    expect(parseCode(CHANNEL, 9)).toEqual({ ok: false, error: 'unknown code "9"' });
    expect(parseCode(ONLINE_LEVEL, 5).ok).toBe(false);
    expect(parseCode(SATISFACTION, 'binh thuong').ok).toBe(false);
  });
});

describe('headings and field names', () => {
  it('matches headings without case, diacritics or trailing explanations', () => {
    expect(fold('  RẤT  Hài-lòng ')).toBe('rat hai long');
    expect(headingKey('Mã hồ sơ')).toBe(headingKey('MaHoSo'));
    expect(headingKey('Đơn vị tiếp nhận')).toBe('donvitiepnhan');
    const r = new FieldReader({ 'Kênh nộp (Trực tiếp / Trực tuyến / Bưu chính công ích)': 'Trực tuyến', 'NGÀY TIẾP NHẬN': '31/02/2025' });
    expect(r.code({ name: 'KenhThucHien', aliases: ['Kenh nop'] }, CHANNEL)).toBe('online');
    expect(r.time({ name: 'NgayTiepNhan' })).toBeUndefined();
    expect(r.error).toEqual({ field: 'NgayTiepNhan', reason: 'NgayTiepNhan: unparseable date "31/02/2025"' });
    // A heading that is not the field's own name is named too, so that an operator finds the column.
    const h = new FieldReader({ 'Hạn xử lý': 'mai' });
    h.time({ name: 'NgayHenTra', aliases: ['Han xu ly'] });
    expect(h.error?.reason).toBe('NgayHenTra (column "Hạn xử lý"): unparseable date "mai"');
  });
});
