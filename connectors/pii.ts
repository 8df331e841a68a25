// Personal data never leaves a connector in clear: the applicant's id number becomes a keyed hash
// (HMAC-SHA256, for distinct counts and joins), everything else personal is dropped, and the
// original text kept in a reject has its personal fields replaced by "[redacted]".
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../schemas/config.ts';
import { cachedKey } from './common/fields.ts';

/** Field names and headings that carry personal data, as matching keys (see cachedKey). */
const PERSONAL = [
  'SoGiayToChuHoSo', 'SoDinhDanh', 'ChuHoSo', 'SoDienThoai', 'Email', 'DiaChi', 'DinhDanhCHS', 'NguoiXuLy',
  'TrichYeu', 'TieuDe', 'Chu ho so', 'So giay to', 'So CCCD', 'CCCD', 'CMND', 'Ho ten', 'Ho va ten', 'Nguoi nop',
  'Ten nguoi nop', 'Dien thoai', 'So dien thoai', 'Dia chi', 'Thu dien tu', 'Nguoi xu ly', 'Trich yeu', 'Tieu de',
  'Nguoi ky', 'NguoiKy', 'HoTen', 'NgaySinh', 'Ngay sinh', 'Noi dung danh gia', 'YKien', 'Y kien', 'GhiChu', 'Ghi chu',
].map(cachedKey);
const PERSONAL_SET = new Set(PERSONAL);

export function isPersonalField(name: string): boolean {
  return PERSONAL_SET.has(cachedKey(name));
}

export const REDACTED = '[redacted]';

/** A deep copy with the values of personal fields replaced, at any depth (hoSo, tienTrinhDongBo[]). */
export function redactValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactValue);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, isPersonalField(k) ? REDACTED : redactValue(x)]));
  }
  return v;
}

// "Key": "value" (complete or cut off by truncation), an array of scalars, or a scalar. Object values
// are not consumed, so that the scan goes on inside them (a truncated hoSo still has its keys seen).
const JSON_PAIR = /"((?:[^"\\]|\\.){1,60})"\s*:\s*("(?:[^"\\]|\\.)*"?|\[[^[\]{}]*\]?|[^,{}[\]\s]*)/g;

/**
 * The original text of a JSON record with personal values redacted. Works on text that does not
 * parse (a truncated line) and on latin1-decoded bytes (keys are ASCII), so it never needs the whole
 * record to be valid.
 */
export function redactJsonText(text: string): string {
  try {
    return JSON.stringify(redactValue(JSON.parse(text)));
  } catch {
    return text.replace(JSON_PAIR, (whole, key: string) => (isPersonalField(key) ? `"${key}":"${REDACTED}"` : whole));
  }
}

/** The HMAC pseudonymiser; id numbers are normalised first (spaces, case) so one person is one hash. */
export function pseudonymiser(secret: string): (value: string) => string {
  return (value) =>
    createHmac('sha256', secret)
      .update(value.replace(/\s+/g, '').toUpperCase())
      .digest('hex');
}

/** cfg.piiSecret, or the one kept under dataDir/secrets (created on first use, mode 0600). */
export function loadPiiSecret(cfg: Config): string {
  if (cfg.piiSecret) return cfg.piiSecret;
  const file = join(cfg.dataDir, 'secrets', 'pii-secret');
  if (existsSync(file)) {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length >= 16) return s;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('hex');
  try {
    // 'wx': two processes starting together must end up with one secret, not two.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readFileSync(file, 'utf8').trim();
  }
  chmodSync(file, 0o600);
  return secret;
}
