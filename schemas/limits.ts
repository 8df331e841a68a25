// The limits every string chiso carries must respect, in one place: the maximum length of each kind
// of string field of the canonical events, rejects and run-ledger rows (schemas/events.ts), and the
// rule for identifiers (record, unit, procedure, field and dossier codes, run ids): printable text,
// no control or format character, no NUL, no U+FFFD (what invalid UTF-8 decodes to). Connectors
// check a record's fields against these before they build an event (and reject it naming the
// field); the event schemas enforce the same, so that the sink's decode refuses an event that
// breaks them whoever produced it. Identifiers end up in keys, hashes and file names: a character
// that could separate, hide or end one never gets that far.

/** Maximum lengths (UTF-16 code units, as String.length counts) per kind of string field. */
export const MAX_LENGTH = {
  /** A code from a source: unit, procedure, field, dossier, document or transaction code. */
  code: 100,
  /** A record id: a code, or a few codes joined (a service is unit/procedure/day). */
  recordId: 256,
  /** A run id (chiso's own, or a workflow's with a file hash appended). */
  runId: 200,
  /** A name or free text kept on an event: procedure name, document number and kind. */
  text: 1000,
  /** A keyed hash (HMAC-SHA256 in hex). */
  hash: 128,
  /** A file path or an API URL, with its window. */
  uri: 4096,
  /** A spreadsheet sheet name (Excel allows 31). */
  sheet: 255,
  /** An entity or source name, a field name (the source's own, or a path in the event). */
  name: 200,
  /** A reject's reason, a run's error. */
  reason: 4000,
  /** A reject's original text (longer text is cut, with a marker: connectors/run.ts). */
  original: 256 * 1024,
  /** A Kafka topic name (Kafka allows 249). */
  topic: 249,
  /** A "topic:partition" key (the run ledger's produced offsets). */
  topicPartition: 260,
  /** A Kafka offset, as a decimal string (Int64). */
  offset: 20,
} as const;

/**
 * An identifier's characters (the length is checked apart): none of them a control, format, surrogate, private-use or
 * unassigned character (Unicode category C, NUL and DEL included), a line or paragraph separator, or
 * U+FFFD. Spaces inside are allowed (connectors trim the ends).
 *
 * Written as runs of printable ASCII between single other characters: the same set as
 * /^[^\p{C}\p{Zl}\p{Zp}\uFFFD]*$/u, but the sink tests it on every identifier of every event, and
 * the ASCII runs match about three times faster than the Unicode class. The two parts share no
 * character, so the pattern cannot backtrack (linear in the length).
 */
export const IDENTIFIER = /^[ -~]*(?:[^\p{ASCII}\p{C}\p{Zl}\p{Zp}\uFFFD][ -~]*)*$/u;

export const IDENTIFIER_MESSAGE = 'expected printable characters only (no control character, NUL or invalid UTF-8)';

/** What is wrong with an identifier, in words for a reject reason; undefined when it is fine. */
export function identifierProblem(s: string, max: number = MAX_LENGTH.code): string | undefined {
  if (s.length === 0) return 'empty';
  if (s.length > max) return `${s.length} characters long (at most ${max})`;
  if (IDENTIFIER.test(s)) return undefined;
  const bad = /[\p{C}\p{Zl}\p{Zp}\uFFFD]/u.exec(s);
  const ch = bad?.[0] ?? '';
  const at = (bad?.index ?? 0) + 1;
  const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (ch === '\u0000') return `contains a NUL byte (U+0000) at character ${at}`;
  if (ch === '\uFFFD') return `contains U+FFFD at character ${at}: invalid UTF-8 in the export (save it as UTF-8)`;
  if (/\p{Cs}/u.test(ch)) return `contains a lone surrogate (${code}) at character ${at}: invalid UTF-16 text`;
  return `contains a control or invisible character (${code}) at character ${at}`;
}

/** A text cut to `max` characters with a marker saying so (for reasons and originals kept in rejects). */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `... [cut: ${text.length} characters]`;
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}
