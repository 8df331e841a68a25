// What a per-entity mapper is, and the envelope every canonical event shares (deterministic id,
// updated_at = NgayCapNhat or the export time), validated against schemas/events.ts before it leaves.
import { canonicalEvent, type CanonicalEvent, type EntityName, eventId, type Origin, type SourceId } from '../../schemas/events.ts';
import type { MapResult } from '../types.ts';
import type { FieldReader, FieldSpec } from './fields.ts';
import { nearMisses } from './near-miss.ts';

export interface MapInput {
  fields: Record<string, unknown>;
  origin: Origin;
  runId: string;
  /** ISO time of the export (file mtime, API call time): the update time when the record has none. */
  exportedAt: string;
  pseudonymise(value: string): string;
}

export interface EntityMapper {
  source: SourceId;
  entity: EntityName;
  /** Every field this mapper reads (for header-row detection in spreadsheets). */
  fields: readonly FieldSpec[];
  map(input: MapInput): MapResult;
}

export const UPDATED: FieldSpec = { name: 'NgayCapNhat', aliases: ['Ngay cap nhat', 'Thoi gian cap nhat'] };

/** Builds the event from what the reader collected, or the reject of its first problem. */
export function finish(
  r: FieldReader,
  input: MapInput,
  m: { source: SourceId; entity: EntityName; fields: readonly FieldSpec[] },
  build: () => { recordId: string; unitCode: string; data: Record<string, unknown> } | undefined,
): MapResult {
  const updated = r.time(UPDATED);
  const body = r.error ? undefined : build();
  const misses = nearMisses(r.keys(), m.fields);
  const warnings = misses.length > 0 ? { warnings: misses } : {};
  if (r.error || body === undefined) {
    // A required field reported missing while a look-alike is present: say so in the reason.
    const hint = misses.find((w) => w.looksLike === r.error?.field);
    const reason = (r.error?.reason ?? 'record does not fit') + (hint ? ` (the record has "${hint.field}": a misspelling of ${hint.looksLike}?)` : '');
    return { kind: 'reject', field: r.error?.field ?? '', reason, ...warnings };
  }
  const updatedAt = updated ?? input.exportedAt;
  const candidate = {
    event_id: eventId(m.source, m.entity, body.recordId, updatedAt),
    source: m.source,
    entity: m.entity,
    record_id: body.recordId,
    unit_code: body.unitCode,
    updated_at: updatedAt,
    run_id: input.runId,
    origin: input.origin,
    data: body.data,
  };
  const parsed = canonicalEvent.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    return { kind: 'reject', field: path, reason: `${path || 'record'}: ${issue?.message ?? 'does not fit the canonical event'}`, ...warnings };
  }
  return { kind: 'ok', event: parsed.data as CanonicalEvent, ...warnings };
}
