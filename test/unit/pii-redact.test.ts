// Rejects keep their original text, never personal data in it: the variants below hide a citizen
// id, a phone number or an e-mail address behind escaped keys, object values, split or fullwidth
// digits, percent-encoding, HTML entities, CSV quoting and undecodable bytes. Each comes out without
// the value (read back through every escape), or withheld as an HMAC of its bytes and its location.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pseudonymiser } from '../../connectors/pii.ts';
import { canonicalText } from '../../connectors/pii-values.ts';
import { MAX_ORIGINAL_BYTES, redactOriginal, redactReason } from '../../connectors/redact.ts';
import type { RawRecord } from '../../connectors/types.ts';

const SECRET = 'pii-redact-test-secret-0123456789';
const hmac = pseudonymiser(SECRET).bytes;
const ID = '001085012345';
const CMND = '123456789';
const PHONE = '0912345678';
const EMAIL = 'nguyen.van.an@example.vn';

const u = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const shift = (s: string, zero: number) => [...s].map((c) => (/\d/.test(c) ? String.fromCodePoint(zero + Number(c)) : c)).join('');
const between = (s: string, sep: string) => [...s].join(sep);
const raw = (original: string, encoding: 'utf8' | 'base64' = 'utf8'): RawRecord => ({ origin: { uri: '/exports/x.ndjson', line: 7 }, original, originalEncoding: encoding, fields: { parseError: 'test' } });

/** The decoded text of a redacted original, every escape layer undone, base64 tokens decoded alongside. */
function readBack(original: string, encoding: 'utf8' | 'base64'): string {
  const text = canonicalText(encoding === 'base64' ? Buffer.from(original, 'base64').toString('latin1') : original).text;
  const tokens = [...text.matchAll(/[A-Za-z0-9+/_-]{12,}={0,2}/g)].map((m) => canonicalText(Buffer.from(m[0].replaceAll('-', '+').replaceAll('_', '/'), 'base64').toString('utf8')).text);
  return [text, ...tokens].join('\n');
}
const digitsOnly = (s: string) => s.replace(/[^\p{Nd}]/gu, (c) => (/[\s.\-()+_\p{Pd}\p{M}\p{Cc}\p{Cf}"]/u.test(c) ? '' : '|'));

type Variant = [name: string, original: string, secret: string, keep?: string];
const VARIANTS: Variant[] = [
  ['personal key, valid JSON', `{"MaHoSo":"HS-1","SoGiayToChuHoSo":"${ID}"}`, ID, 'HS-1'],
  ['unknown key, valid JSON', `{"MaHoSo":"HS-1","ghiChuKhac":"${ID}"}`, ID, 'HS-1'],
  ['id as a JSON number', `{"MaHoSo":"HS-1","x":${CMND}}`, CMND, 'HS-1'],
  ['escaped key, valid JSON', `{"MaHoSo":"HS-1","${u('CCCD')}":"${ID}"}`, ID, 'HS-1'],
  ['escaped digits, valid JSON', `{"MaHoSo":"HS-1","x":"${u(ID)}"}`, ID, 'HS-1'],
  ['escaped key, truncated line', `{"MaHoSo":"HS-1","${u('CCCD')}":"${ID}`, ID, 'HS-1'],
  ['escaped key and digits, truncated', `{"MaHoSo":"HS-1","${u('SoDinhDanh')}":"${u(ID)}`, ID, 'HS-1'],
  ['escaped digits under an unknown key, truncated', `{"MaHoSo":"HS-1","note":"${u(ID)}`, ID, 'HS-1'],
  ['object value of a personal key, truncated', `{"MaHoSo":"HS-1","CCCD":{"so":"${ID}","noiCap":"HN"},"x":`, ID, 'HS-1'],
  ['array value of a personal key, truncated', `{"MaHoSo":"HS-1","DinhDanhCHS":[{"So":"${ID}"}],"y":`, ID, 'HS-1'],
  ['object value under an unknown key, valid JSON', `{"MaHoSo":"HS-1","nguoi":{"giayTo":{"so":"${ID}"}}}`, ID, 'HS-1'],
  ['escaped object key and value, truncated', `{"MaHoSo":"HS-1","${u('ChuHoSo')}":{"${u('so')}":"${u(ID)}"`, ID, 'HS-1'],
  ['unquoted keys, not JSON', `{MaHoSo: 'HS-1', cccd: ${ID}}`, ID, 'HS-1'],
  ['split by spaces in groups', `{"MaHoSo":"HS-1","x":"0010 8501 2345"}`, ID, 'HS-1'],
  ['split by dots', `HS-1,001.085.012.345,X01`, ID, 'HS-1'],
  ['split by dashes', `HS-1,001-085-012-345,X01`, ID, 'HS-1'],
  ['a space between every digit', `HS-1,${between(ID, ' ')},X01`, ID, 'HS-1'],
  ['fullwidth digits', `{"MaHoSo":"HS-1","x":"${shift(ID, 0xff10)}"}`, ID, 'HS-1'],
  ['fullwidth and ASCII mixed', `{"MaHoSo":"HS-1","x":"001${shift('085', 0xff10)}012${shift('345', 0xff10)}"}`, ID, 'HS-1'],
  ['zero-width spaces between digits', `HS-1,${between(ID, '\u200b')},X01`, ID, 'HS-1'],
  ['soft hyphens between digits', `HS-1,${between(ID, '\u00ad')},X01`, ID, 'HS-1'],
  ['no-break spaces', `HS-1,0010\u00a08501\u00a02345,X01`, ID, 'HS-1'],
  ['percent-encoded digits', `HS-1,${pct(ID)},X01`, ID, 'HS-1'],
  ['percent-encoded twice', `HS-1,${pct(pct(ID))},X01`, ID, 'HS-1'],
  ['HTML decimal entities', `HS-1,${[...ID].map((c) => `&#${c.charCodeAt(0)};`).join('')},X01`, ID, 'HS-1'],
  ['HTML hex entities', `HS-1,${[...ID].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('')},X01`, ID, 'HS-1'],
  ['an escaped escape in a JSON string', `{"MaHoSo":"HS-1","x":"${u(ID).replaceAll('\\', '\\\\')}"}`, ID, 'HS-1'],
  ['\\x escapes', `{"MaHoSo":"HS-1","x":"${[...ID].map((c) => `\\x3${c}`).join('')}`, ID, 'HS-1'],
  ['\\u{} escapes', `{"MaHoSo":"HS-1","x":"${[...ID].map((c) => `\\u{3${c}}`).join('')}`, ID, 'HS-1'],
  ['Arabic-Indic digits', `HS-1,${shift(ID, 0x660)},X01`, shift(ID, 0x660), 'HS-1'],
  ['Devanagari digits', `HS-1,${shift(ID, 0x966)},X01`, shift(ID, 0x966), 'HS-1'],
  ['mathematical bold digits', `HS-1,${shift(ID, 0x1d7ce)},X01`, ID, 'HS-1'],
  ['superscript digits', `HS-1,${[...ID].map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(c)]).join('')},X01`, ID, 'HS-1'],
  ['old 9-digit id in text', `HS-1,CMND số ${CMND} cấp ngày 01/01/2010,X01`, CMND, 'HS-1'],
  ['id glued to its label', `HS-1,CCCD${ID},X01`, ID, 'HS-1'],
  ['id in a sentence', `HS-1,"Ông A, CCCD số ${ID}, cấp ngày 01/01/2020",X01`, ID, 'HS-1'],
  ['phone', `HS-1,${PHONE},X01`, PHONE, 'HS-1'],
  ['phone with spaces', `HS-1,0912 345 678,X01`, PHONE, 'HS-1'],
  ['phone with dots', `HS-1,0912.345.678,X01`, PHONE, 'HS-1'],
  ['phone with dashes', `HS-1,091-234-5678,X01`, PHONE, 'HS-1'],
  ['phone +84 with spaces', `HS-1,+84 912 345 678,X01`, '912345678', 'HS-1'],
  ['phone (+84) and a dash', `HS-1,(+84) 912-345-678,X01`, '912345678', 'HS-1'],
  ['phone 84 without plus', `HS-1,84912345678,X01`, '912345678', 'HS-1'],
  ['landline with area code', `HS-1,(024) 3825 1234,X01`, '38251234', 'HS-1'],
  ['phone after another number', `HS-1,1 0912 345 678,X01`, PHONE, 'HS-1'],
  ['phone in a JSON number', `{"MaHoSo":"HS-1","lienHe":84912345678}`, '912345678', 'HS-1'],
  ['id that lost its leading zeros in a spreadsheet', `{"Mã hồ sơ":"HS-1","Số":1085012345}`, '1085012345', 'HS-1'],
  ['phone that lost its leading zero, as text', `HS-1,912345678,X01`, '912345678', 'HS-1'],
  ['phone with fullwidth plus and digits', `HS-1,＋８４９１２３４５６７８,X01`, '912345678', 'HS-1'],
  ['e-mail', `HS-1,${EMAIL},X01`, EMAIL, 'HS-1'],
  ['e-mail in capitals', `HS-1,${EMAIL.toUpperCase()},X01`, EMAIL.toUpperCase(), 'HS-1'],
  ['e-mail with a tag', `HS-1,an+hoso@example.vn,X01`, 'an+hoso@example.vn', 'HS-1'],
  ['e-mail with a fullwidth at', `HS-1,nguyen.van.an＠example.vn,X01`, EMAIL, 'HS-1'],
  ['e-mail with \\u0040', `{"MaHoSo":"HS-1","x":"nguyen.van.an${u('@')}example.vn"`, EMAIL, 'HS-1'],
  ['percent-encoded e-mail', `HS-1,nguyen.van.an%40example.vn,X01`, EMAIL, 'HS-1'],
  ['e-mail as HTML entities', `HS-1,nguyen&#46;van&#46;an&#64;example&#46;vn,X01`, EMAIL, 'HS-1'],
  ['id as a JSON key', `{"MaHoSo":"HS-1","${ID}":"x"}`, ID, 'HS-1'],
  ['id deep in arrays', `{"MaHoSo":"HS-1","a":[[{"b":[${CMND}]}]]}`, CMND, 'HS-1'],
  ['JSON inside a JSON string', `{"MaHoSo":"HS-1","payload":"{\\"CCCD\\":\\"${ID}\\"}"}`, ID, 'HS-1'],
  ['JSON with escaped key inside a JSON string', `{"MaHoSo":"HS-1","payload":"{\\"${u('CCCD').replaceAll('\\', '\\\\')}\\":\\"${u(ID).replaceAll('\\', '\\\\')}\\"}"}`, ID, 'HS-1'],
  ['base64 of the id in a field', `{"MaHoSo":"HS-1","x":"${Buffer.from(ID).toString('base64')}"}`, ID, 'HS-1'],
  ['base64url of a JSON object with the e-mail', `HS-1,${Buffer.from(JSON.stringify({ thu: EMAIL, n: 1 })).toString('base64url')},X01`, EMAIL, 'HS-1'],
  ['CSV quoted cell with spaces', `HS-1,"001 085 012 345",X01`, ID, 'HS-1'],
  ['CSV doubled quotes', `HS-1,"""${ID}""",X01`, ID, 'HS-1'],
  ['CSV semicolons', `HS-1;${PHONE};X01`, PHONE, 'HS-1'],
  ['CSV tabs', `HS-1\t${PHONE}\tX01`, PHONE, 'HS-1'],
  ['control characters between digits', `HS-1,${between(PHONE, '\u0001')},X01`, PHONE, 'HS-1'],
  ['spreadsheet row as JSON', `{"Mã hồ sơ":"HS-1","Ghi chú":"Liên hệ 0912 345 678"}`, PHONE, 'HS-1'],
  ['phone in a nested object', `{"MaHoSo":"HS-1","lienHe":{"dt":"0912-345-678"}}`, PHONE, 'HS-1'],
];

describe('redaction by value', () => {
  it('has at least 50 variants', () => {
    expect(VARIANTS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(VARIANTS)('%s', (_name, original, secret, keep) => {
    const r = redactOriginal(raw(original), hmac);
    expect(r.withheld).toBeUndefined();
    const back = readBack(r.original, r.encoding);
    expect(digitsOnly(back)).not.toContain(digitsOnly(canonicalText(secret).text));
    expect(back.toLowerCase()).not.toContain(canonicalText(secret).text.toLowerCase());
    expect(back).toContain('[redacted]');
    if (keep) expect(back).toContain(keep);
  });

  it.each([
    ['a date and time', '{"MaHoSo":"HS-1","NgayTiepNhan":"2025-01-01 10:00:00"}'],
    ['a Vietnamese date', 'HS-1,05/04/2025 10:05,X01'],
    ['a dossier code', '{"MaHoSo":"000.00.12.H01-250101-0001","TrangThai":"3"}'],
    ['an amount', 'GD-1,1.250.000,online'],
    ['an amount as a number', '{"MaGiaoDich":"GD-1","SoTien":1250000}'],
    ['a procedure code', 'X01/1.001234/2025-01-01,5'],
    ['an epoch time in milliseconds', '{"t":1735689600000}'],
  ])('keeps %s as it was', (_name, original) => {
    const r = redactOriginal(raw(original), hmac);
    expect(r.original).toBe(original.startsWith('{') ? JSON.stringify(JSON.parse(original)) : original);
  });
});

describe('undecodable bytes', () => {
  it('redacts the decodable parts and keeps the other bytes', () => {
    const bytes = Buffer.concat([Buffer.from('{"MaDanhGia":"DG-102","GhiChu":"V'), Buffer.from([0xf5, 0x20, 0xe0]), Buffer.from(`","x":"${PHONE}","y":"${shift(ID, 0xff10)}"}`)]);
    const r = redactOriginal(raw(bytes.toString('base64'), 'base64'), hmac);
    expect(r.encoding).toBe('base64');
    const out = Buffer.from(r.original, 'base64');
    expect(out.toString('latin1')).toContain('DG-102');
    expect(out.includes(Buffer.from([0xf5, 0x20, 0xe0]))).toBe(false); // GhiChu is personal: its value is gone
    expect(digitsOnly(readBack(r.original, 'base64'))).not.toContain(PHONE);
    expect(out.toString('utf8')).not.toContain(shift(ID, 0xff10));
  });

  it('keeps invalid bytes of a field that is not personal', () => {
    const bytes = Buffer.concat([Buffer.from('DG-1,H'), Buffer.from([0xe0]), Buffer.from(` l${PHONE},X01`)]);
    const r = redactOriginal(raw(bytes.toString('base64'), 'base64'), hmac);
    const out = Buffer.from(r.original, 'base64');
    expect(out.includes(Buffer.from([0x48, 0xe0]))).toBe(true);
    expect(out.toString('latin1')).not.toContain(PHONE);
  });
});

describe('withheld when it cannot be redacted with certainty', () => {
  const cases: [string, RawRecord][] = [
    ['UTF-16 bytes (NUL), undecodable', raw(Buffer.concat([Buffer.from(`{"x":"${ID}"}`, 'utf16le'), Buffer.from([0xff])]).toString('base64'), 'base64')],
    ['UTF-16 bytes (NUL) that are valid UTF-8', raw(Buffer.from(`{"SoDinhDanh":"${ID}"}`, 'utf16le').toString('utf8'))],
    ['nested 40 levels', raw(`${'['.repeat(40)}"${ID}"${']'.repeat(40)}`)],
    ['nested 40 levels, truncated', raw(`${'{"a":'.repeat(40)}"x`)],
    ['escapes within escapes, 8 layers', raw(`HS-1,${Array.from({ length: 8 }).reduce<string>((s) => pct(s), ID)},X01`)],
    ['longer than the cap', raw(`{"x":"${'a'.repeat(MAX_ORIGINAL_BYTES)}"}`)],
  ];
  it.each(cases)('%s', (_name, r) => {
    const out = redactOriginal(r, hmac);
    const bytes = r.originalEncoding === 'base64' ? Buffer.from(r.original, 'base64') : Buffer.from(r.original, 'utf8');
    expect(out.withheld).toBeDefined();
    expect(out.encoding).toBe('utf8');
    expect(out.original).toContain(`hmac-sha256 ${createHmac('sha256', SECRET).update(bytes).digest('hex')}`);
    expect(out.original).toContain('line 7');
    expect(digitsOnly(canonicalText(out.original).text)).not.toContain(ID);
  });
});

describe('reasons', () => {
  it('lose the personal values a parser or mapper quotes', () => {
    expect(redactReason(`KenhThucHien: unknown code "${PHONE}"`)).toBe('KenhThucHien: unknown code "[redacted]"');
    expect(redactReason('NgayTiepNhan: unparseable date "31/02/2025"')).toBe('NgayTiepNhan: unparseable date "31/02/2025"');
  });
});
