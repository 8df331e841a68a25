// What flows between the parts of a connector: readers (file formats, the HTTP export API) yield raw
// records with their location and original text; mappers turn each into a canonical event or a reject.
import type { FieldWarning } from './common/near-miss.ts';
import type { CanonicalEvent, EntityName, Origin, RejectMessage, SourceId } from '../schemas/events.ts';

/** One record as read, before validation: field names as exported (JSON keys or spreadsheet headings). */
export interface RawRecord {
  origin: Origin;
  /** The original text of the record, kept for the rejects. */
  original: string;
  originalEncoding?: 'utf8' | 'base64';
  /** The parsed fields, or why the record could not even be parsed (truncated line, bad JSON). */
  fields: Record<string, unknown> | { parseError: string };
  /** Set by readers of exports that carry no update time of their own (the export time). */
  exportedAt?: string;
}

/** The result of mapping one raw record: a value, never an exception. */
export type MapResult =
  | { kind: 'ok'; event: CanonicalEvent; warnings?: FieldWarning[] }
  | { kind: 'reject'; field: string; reason: string; warnings?: FieldWarning[] };

export interface MapContext {
  runId: string;
  source: SourceId;
  entity: EntityName;
  /** Keyed hash for personal data (HMAC-SHA256 with the configured secret). */
  pseudonymise(value: string): string;
}

export type Reject = RejectMessage;
