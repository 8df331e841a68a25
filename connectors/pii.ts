// Personal data never leaves a connector in clear: the applicant's id number becomes a keyed hash
// (`<key id>:<HMAC-SHA256>`, for distinct counts and joins), everything else personal is dropped, and the
// original text kept in a reject has its personal fields replaced by "[redacted]".
import { createHash, createHmac } from 'node:crypto';
import type { Config } from '../schemas/config.ts';
import { fileSecret } from '../infra/secrets/secrets.ts';
import { cachedKey } from './common/fields.ts';
import { REDACTED } from './pii-values.ts';

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

export { REDACTED };

/** A deep copy with the values of personal fields replaced, at any depth (hoSo, tienTrinhDongBo[]). */
export function redactValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactValue);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, isPersonalField(k) ? REDACTED : redactValue(x)]));
  }
  return v;
}

/** A JSON key as written in text (escapes and all), decoded when it can be. */
function keyText(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/** Where the JSON value starting at i ends: a string, an object or array (balanced), or a scalar; the text's end when cut off. */
function valueEnd(t: string, i: number): number {
  const c = t[i];
  if (c === '"') {
    for (let j = i + 1; j < t.length; j++) {
      if (t[j] === '\\') j++;
      else if (t[j] === '"') return j + 1;
    }
    return t.length;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t[j];
      if (d === '"') {
        for (j++; j < t.length && t[j] !== '"'; j++) if (t[j] === '\\') j++;
      } else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return t.length;
  }
  const m = /^[^,{}[\]\s]*/.exec(t.slice(i, i + 200));
  return i + (m?.[0].length ?? 0);
}

const JSON_KEY = /"((?:[^"\\]|\\.){1,80})"\s*:\s*/g;

/**
 * The values of personal keys replaced in JSON-like text that need not parse (a truncated line,
 * latin1-decoded bytes): a string, a number, or a whole object or array (to its end when cut off).
 * Escaped keys ("\u0043CCD") are decoded before they are compared.
 */
export function redactPersonalKeys(text: string): string {
  let out = '';
  let last = 0;
  const re = new RegExp(JSON_KEY.source, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const raw = m[1] ?? '';
    if (!isPersonalField(keyText(raw))) continue;
    const end = valueEnd(text, m.index + m[0].length);
    out += `${text.slice(last, m.index)}"${raw}":"${REDACTED}"`;
    last = end;
    re.lastIndex = end;
  }
  return out + text.slice(last);
}

/**
 * The original text of a JSON record with personal values redacted by key. Works on text that does
 * not parse (a truncated line) and on latin1-decoded bytes (keys are ASCII), so it never needs the
 * whole record to be valid. Values are redacted by what they are in redact.ts.
 */
export function redactJsonText(text: string): string {
  try {
    return JSON.stringify(redactValue(JSON.parse(text)));
  } catch {
    return redactPersonalKeys(text);
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

/** A keyed hash of values (normalised) and of raw bytes (as they are). */
export interface Pseudonymiser {
  (value: string): string;
  /** HMAC-SHA256 of the bytes as they are: the fingerprint kept of a reject that cannot be redacted. */
  bytes(data: Uint8Array): string;
}

/**
 * The HMAC pseudonymiser: `<key id>:<HMAC-SHA256 hex>`. Id numbers are normalised first (spaces,
 * case) so that one person is one hash under one key.
 */
export function pseudonymiser(secret: string): Pseudonymiser {
  const keyId = piiKeyId(secret);
  const value = (v: string) =>
    `${keyId}:${createHmac('sha256', secret)
      .update(v.replace(/\s+/g, '').toUpperCase())
      .digest('hex')}`;
  return Object.assign(value, { bytes: (data: Uint8Array) => createHmac('sha256', secret).update(data).digest('hex') });
}

/** cfg.piiSecret; on the embedded default the one kept under dataDir/secrets (created once, 0600); a server deployment without it throws. */
export function loadPiiSecret(cfg: Config): string {
  return cfg.piiSecret ?? fileSecret(cfg, 'pii').value;
}
