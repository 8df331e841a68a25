// Personal data found by its value, whatever the field is called: Vietnamese citizen ids (9 digits of
// the old CMND, 12 of the CCCD), phone numbers (+84 / 84 / 0 then 9 or 10 digits) and e-mail addresses.
// Values are looked for in a canonical form of the text: escapes decoded (JSON \u and \x, percent-
// encoding, HTML numeric entities, repeatedly: an escaped escape is decoded too), compatibility forms
// folded (fullwidth and circled digits, fullwidth @ and +) and invisible characters dropped. Digits
// may be split by spaces, dots, dashes, brackets or plus signs ("0912 345 678", "(+84) 912-345-678").
// A base64 token is decoded once and looked into too.

export const REDACTED = '[redacted]';

/** Escape layers decoded at most; text still changing after that is not canonical with certainty. */
const MAX_ROUNDS = 6;

const hex = (s: string) => Number.parseInt(s, 16);
const codePoint = (cp: number, whole: string) => (cp <= 0x10ffff ? String.fromCodePoint(cp) : whole);

/** Percent-encoded bytes as UTF-8 when they are, else one character per byte (digits stay digits). */
function percentDecode(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(hex(h)));
  }
}

function decodeOnce(s: string): string {
  return s
    .replace(/\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g, (whole, a?: string, b?: string, c?: string) => codePoint(hex(a ?? b ?? c ?? ''), whole))
    .replace(/&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?/g, (whole, h?: string, d?: string) => codePoint(h !== undefined ? hex(h) : Number(d), whole))
    .replace(/(?:%[0-9a-fA-F]{2})+/g, percentDecode);
}

/** Compatibility forms folded (NFKC: "０９１２" -> "0912", "＠" -> "@"), format characters dropped. */
function fold(s: string): string {
  return s.normalize('NFKC').replace(/\p{Cf}/gu, '');
}

export interface Canonical {
  text: string;
  /** False when escapes were still being decoded after MAX_ROUNDS layers. */
  certain: boolean;
}

/** The text with every layer of escapes decoded and compatibility forms folded. */
export function canonicalText(s: string): Canonical {
  let cur = fold(s);
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const next = fold(decodeOnce(cur));
    if (next === cur) return { text: cur, certain: true };
    cur = next;
  }
  return { text: cur, certain: false };
}

// A run of digits, any script (\p{Nd}), joined by at most three separator characters at a time.
const SEP = '[\\s.\\-()+_·•\\p{Pd}\\p{M}\\p{Cc}]';
const DIGIT_RUN = new RegExp(`\\p{Nd}(?:${SEP}{0,3}\\p{Nd})*`, 'gu');
const GROUP = /\p{Nd}+/gu;
// Bounded parts keep the scan linear on long text (an unbounded local part is quadratic without an @).
const EMAIL = /[\p{L}\p{N}._%+'-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}\.\p{L}{2,24}(?![\p{L}\p{N}-])/gu;

/**
 * A citizen id (9 or 12 digits) or a phone number (0 + 9-10 digits, 84 + 9-10 digits). Written
 * without separators, any 9 to 12 digits: a spreadsheet that stored an id or a phone as a number
 * dropped its leading zeros (001085012345 -> 1085012345, 0912345678 -> 912345678).
 */
function personalDigits(d: string, plain: boolean): boolean {
  const n = d.length;
  if (n === 9 || n === 12 || (plain && n >= 9 && n <= 12)) return true;
  if (d.startsWith('0') && (n === 10 || n === 11)) return true;
  return d.startsWith('84') && (n === 11 || n === 12);
}

/**
 * The run with the groups that spell a personal number replaced: "1 0912 345 678" holds a phone
 * number although the run has 11 digits, and keeps its "1". Digits glued to a letter belong to a
 * code ("H01-250101-0001"): such an end group counts on its own, not as the start or end of a
 * longer number. Digits of other scripts count as digits; a run with any of them is personal from
 * 9 digits on (their values are not compared). `found` is 0 when nothing was replaced.
 */
function redactRun(run: string, gluedBefore: boolean, gluedAfter: boolean): { text: string; found: number } {
  const groups = [...run.matchAll(GROUP)].map((m) => ({ at: m.index, end: m.index + m[0].length, digits: m[0] }));
  if (!/^[\d\s.\-()+_·•\p{Pd}\p{M}\p{Cc}]*$/u.test(run)) {
    return groups.reduce((n, g) => n + [...g.digits].length, 0) >= 9 ? { text: REDACTED, found: 1 } : { text: run, found: 0 };
  }
  const last = groups.length - 1;
  const covered = groups.map(() => false);
  for (let i = 0; i < groups.length; i++) {
    let d = '';
    for (let j = i; j < groups.length && d.length <= 12; j++) {
      d += groups[j]?.digits ?? '';
      const single = i === j;
      if (!single && ((i === 0 && gluedBefore) || (j === last && gluedAfter))) continue;
      if (personalDigits(d, single)) covered.fill(true, i, j + 1);
    }
  }
  if (!covered.includes(true)) return { text: run, found: 0 };
  let text = '';
  let pos = 0;
  let found = 0;
  for (let i = 0; i < groups.length; i++) {
    if (!covered[i]) continue;
    let j = i;
    while (j + 1 < groups.length && covered[j + 1]) j++;
    text += `${run.slice(pos, groups[i]?.at)}${REDACTED}`;
    pos = groups[j]?.end ?? run.length;
    found++;
    i = j;
  }
  return { text: text + run.slice(pos), found };
}

const LETTER = /\p{L}/u;

// A base64 token (standard or URL alphabet) long enough to hold a phone number.
const BASE64_TOKEN = /(?<![\w+/=-])[A-Za-z0-9+/_-]{12,}={0,2}(?![\w+/=-])/g;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** True when the token is base64 of UTF-8 text that holds a personal value (one level: no base64 within). */
function base64Hides(token: string): boolean {
  let text: string;
  try {
    text = strictUtf8.decode(Buffer.from(token.replaceAll('-', '+').replaceAll('_', '/'), 'base64'));
  } catch {
    return false;
  }
  const c = canonicalText(text);
  return c.certain && redactValues(c.text, false).found > 0;
}

/** The canonical text with personal numbers and e-mail addresses replaced (also inside base64 tokens); `found` counts them. */
export function redactValues(canonical: string, inBase64 = true): { text: string; found: number } {
  let found = 0;
  const decoded = inBase64
    ? canonical.replace(BASE64_TOKEN, (token) => {
        if (!base64Hides(token)) return token;
        found++;
        return REDACTED;
      })
    : canonical;
  const text = decoded
    .replace(EMAIL, () => {
      found++;
      return REDACTED;
    })
    .replace(DIGIT_RUN, (run: string, at: number, all: string) => {
      const r = redactRun(run, LETTER.test(all[at - 1] ?? ''), LETTER.test(all[at + run.length] ?? ''));
      found += r.found;
      return r.text;
    });
  return { text, found };
}

/** True when the text, once canonical, still holds a personal number or address (or is not canonical). */
export function holdsPersonalValue(s: string): boolean {
  const c = canonicalText(s);
  return !c.certain || redactValues(c.text).found > 0;
}
