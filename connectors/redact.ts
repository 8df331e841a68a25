// The original text of a rejected record, redacted before it leaves the connector: rejects keep the
// original by design, but personal data must not travel with it. Two passes, on every reject whatever
// its format: by key (personal fields, escaped keys decoded, object values whole) and by value
// (citizen ids, phone numbers, e-mail addresses, under any escape; pii-values.ts). A reject that
// cannot be redacted with certainty (nested too deep, escapes within escapes, bytes that are not
// text, too long, or a personal value still recognisable afterwards) is withheld: its text is
// replaced by an HMAC of its bytes (keyed with the PII secret) and its location.
import { redactPersonalKeys, isPersonalField, REDACTED } from './pii.ts';
import { canonicalText, holdsPersonalValue, redactValues } from './pii-values.ts';
import type { RawRecord } from './types.ts';
import { ChisoError } from '../lib/errors.ts';

/** Nesting of objects and arrays beyond which a record is withheld rather than walked. */
export const MAX_NESTING = 32;
/** Originals longer than this (in bytes) are withheld rather than scanned. */
export const MAX_ORIGINAL_BYTES = 64 * 1024;

/** Text whose personal values cannot be removed with certainty: the original is withheld (redactOriginal). */
export class Unredactable extends ChisoError {
  override readonly name = 'Unredactable';
  constructor(message: string) {
    super(message, 'UNREDACTABLE', false);
  }
}

export interface RedactedOriginal {
  original: string;
  encoding: 'utf8' | 'base64';
  /** Set when the text was withheld: why. */
  withheld?: string;
}

/** The deepest nesting of brackets outside strings (a linear scan: no parse needed). */
export function nesting(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth = Math.max(0, depth - 1);
  }
  return max;
}

/** One piece of text (a whole line, a JSON string, a key) redacted by key and value; unchanged when nothing is found. */
function redactPiece(s: string): string {
  const c = canonicalText(s);
  if (!c.certain) throw new Unredactable('escapes nested within escapes');
  const red = redactValues(redactPersonalKeys(c.text)).text;
  return red === c.text ? s : red;
}

function redactJson(v: unknown, depth: number): unknown {
  if (depth > MAX_NESTING) throw new Unredactable(`nested more than ${MAX_NESTING} levels`);
  if (typeof v === 'string') return redactPiece(v);
  if (typeof v === 'number') return holdsPersonalValue(String(v)) ? REDACTED : v;
  if (Array.isArray(v)) return v.map((x) => redactJson(x, depth + 1));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const key = redactPiece(k) === k ? k : `${REDACTED}${++n > 1 ? n : ''}`;
      out[key] = isPersonalField(k) ? REDACTED : redactJson(x, depth + 1);
    }
    return out;
  }
  return v;
}

function parsedJson(text: string): { value: unknown } | undefined {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The text with personal data redacted: JSON that parses is walked (and written back as JSON),
 * anything else (a CSV row, a truncated line) is redacted as text. Throws Unredactable when it
 * cannot be done with certainty; the result never holds a recognisable personal value.
 */
export function redactText(text: string): string {
  if (nesting(text) > MAX_NESTING) throw new Unredactable(`nested more than ${MAX_NESTING} levels`);
  const json = parsedJson(text);
  const out = json ? JSON.stringify(redactJson(json.value, 0)) : redactPiece(text);
  if (holdsPersonalValue(out)) throw new Unredactable('a personal value is still recognisable after redaction');
  return out;
}

/** A reject's reason with personal values redacted (parsers and mappers may quote the value). */
export function redactReason(reason: string): string {
  const c = canonicalText(reason);
  const red = redactValues(c.text);
  return red.found > 0 || !c.certain ? red.text : reason;
}

// Bytes that are not UTF-8: the valid parts decoded, each invalid byte (always >= 0x80) kept as a
// private-use character U+F780..U+F7FF, so that the text can be redacted and turned back into bytes.
const BYTE_BASE = 0xf700;

function sequenceLength(b: Uint8Array, i: number): number {
  const b0 = b[i] ?? 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const ok1 = b0 === 0xe0 ? cont(1, 0xa0) : b0 === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok1 && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const ok1 = b0 === 0xf0 ? cont(1, 0x90) : b0 === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok1 && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** The bytes as text with invalid bytes as private-use characters; undefined when that would be ambiguous. */
export function bytesAsText(b: Buffer): string | undefined {
  let out = '';
  let i = 0;
  let run = i;
  while (i < b.length) {
    const n = sequenceLength(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += b.toString('utf8', run, i) + String.fromCharCode(BYTE_BASE + (b[i] ?? 0));
    i++;
    run = i;
  }
  out += b.toString('utf8', run, b.length);
  return /[\uF780-\uF7FF]/.test(b.toString('utf8')) ? undefined : out;
}

export function textAsBytes(s: string): Buffer {
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= BYTE_BASE + 0x80 && cp <= BYTE_BASE + 0xff) {
      parts.push(Buffer.from(run, 'utf8'), Buffer.from([cp - BYTE_BASE]));
      run = '';
    } else run += ch;
  }
  parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

function withheld(bytes: Uint8Array, raw: RawRecord, why: string, fingerprint: (b: Uint8Array) => string): RedactedOriginal {
  const o = raw.origin;
  const at = [o.sheet ? `sheet ${o.sheet}` : '', o.line !== undefined ? `line ${o.line}` : ''].filter(Boolean).join(', ');
  return {
    original: `[withheld: ${why}; ${at || 'see origin'}; ${bytes.length} bytes; hmac-sha256 ${fingerprint(bytes)}]`,
    encoding: 'utf8',
    withheld: why,
  };
}

/**
 * The original of a reject as it may be stored: redacted, or withheld (HMAC + location) when it
 * cannot be redacted with certainty. `fingerprint` is the HMAC of bytes with the PII secret.
 */
export function redactOriginal(raw: RawRecord, fingerprint: (b: Uint8Array) => string): RedactedOriginal {
  const base64 = raw.originalEncoding === 'base64';
  const bytes = base64 ? Buffer.from(raw.original, 'base64') : Buffer.from(raw.original, 'utf8');
  if (bytes.length > MAX_ORIGINAL_BYTES) return withheld(bytes, raw, `longer than ${MAX_ORIGINAL_BYTES} bytes`, fingerprint);
  // NUL bytes (valid UTF-8, but no export's text has them) mean UTF-16 or binary: keys and digits hide there.
  if (bytes.includes(0)) return withheld(bytes, raw, 'bytes that are not text (NUL: UTF-16 or binary?)', fingerprint);
  try {
    if (!base64) return { original: redactText(raw.original), encoding: 'utf8' };
    // Undecodable bytes: the valid parts are redacted, the invalid bytes kept (an export in
    // Windows-1258 stays recognisable).
    const text = bytesAsText(bytes);
    if (text === undefined) return withheld(bytes, raw, 'bytes that cannot be told apart from text', fingerprint);
    return { original: textAsBytes(redactText(text)).toString('base64'), encoding: 'base64' };
  } catch (e) {
    if (e instanceof Unredactable) return withheld(bytes, raw, e.message, fingerprint);
    throw e;
  }
}
