// Personal data never leaves a connector in clear: the applicant's id number becomes a keyed hash
// (`<key id>:<HMAC-SHA256>`, for distinct counts and joins), everything else personal is dropped, and the
// original text kept in a reject has its personal fields replaced by "[redacted]".
import { createHash, createHmac } from 'node:crypto';
import type { Config } from '../schemas/config.ts';
import { fileSecret } from '../services/lib/secrets.ts';
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

/**
 * The id of a PII key: the first 8 hex digits of the SHA-256 of the key. It is written beside each
 * hash, so that hashes made under an old key are told from those of a new one after a rotation
 * (docs/secrets.md); it says nothing usable about the key itself.
 */
export function piiKeyId(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 8);
}

/**
 * The HMAC pseudonymiser: `<key id>:<HMAC-SHA256 hex>`. Id numbers are normalised first (spaces,
 * case) so that one person is one hash under one key.
 */
export function pseudonymiser(secret: string): (value: string) => string {
  const keyId = piiKeyId(secret);
  return (value) =>
    `${keyId}:${createHmac('sha256', secret)
      .update(value.replace(/\s+/g, '').toUpperCase())
      .digest('hex')}`;
}

/** cfg.piiSecret; on the embedded default the one kept under dataDir/secrets (created once, 0600); a server deployment without it throws. */
export function loadPiiSecret(cfg: Config): string {
  return cfg.piiSecret ?? fileSecret(cfg, 'pii').value;
}
