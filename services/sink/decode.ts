// Decoding of one Kafka message into what the sink writes: a canonical event, a connector's reject,
// a run-ledger row, or a poison message (bad JSON, schema mismatch, wrong topic) turned into a
// reject that names its topic, partition and offset. Bad data is a value here, never an exception.
// A poison message's bytes are redacted by the connectors' rule (connectors/redact.ts) before they
// are kept: whoever produced it, it may carry personal data.
import { z } from 'zod';
import { redactOriginal, redactReason } from '../../connectors/redact.ts';
import { canonicalEvent, type CanonicalEvent, type RejectMessage, rejectMessage, type RunMessage, runMessage, SOURCES, type SourceId } from '../../schemas/events.ts';
import { cut, MAX_LENGTH } from '../../schemas/limits.ts';
import type { Topics } from '../../schemas/topics.ts';
import { unchangedBy } from '../../schemas/unchanged.ts';
import type { KafkaPosition } from './rows.ts';
import { errorMessage } from '../../lib/errors.ts';

export type Decoded =
  | { kind: 'event'; event: CanonicalEvent; pos: KafkaPosition }
  | { kind: 'reject'; reject: RejectMessage; pos: KafkaPosition }
  | { kind: 'run'; run: RunMessage; pos: KafkaPosition }
  /** `source` is '' when the message sat on the rejects or runs topic (no source to name). */
  | { kind: 'poison'; reject: RejectMessage; source: string; pos: KafkaPosition };

export interface RawMessage {
  value: Buffer | null;
  offset: string;
  timestamp: string;
}

type TopicRole = { role: 'source'; source: SourceId } | { role: 'rejects' } | { role: 'runs' };

export function topicRoles(t: Topics): Map<string, TopicRole> {
  const m = new Map<string, TopicRole>();
  for (const s of SOURCES) m.set(t.source(s), { role: 'source', source: s });
  m.set(t.rejects, { role: 'rejects' });
  m.set(t.runs, { role: 'runs' });
  return m;
}

/**
 * True when canonicalEvent accepts the parsed message as it is: then the parsed object is the event,
 * without zod's copy of it (safeParse: about 3 µs and 4 KB of garbage per event; this: 0.5 µs, none).
 * Otherwise the schema runs, and says what is wrong.
 */
const isCanonicalAsIs = unchangedBy(canonicalEvent);

/** HMAC-SHA256 of bytes with the PII secret (connectors/pii.ts, Pseudonymiser.bytes): kept of a poison message that cannot be redacted. */
export type Fingerprint = (bytes: Uint8Array) => string;

export function decode(msg: RawMessage, pos: KafkaPosition, role: TopicRole | undefined, fingerprint: Fingerprint): Decoded {
  const poison = (reason: string): Decoded => ({
    kind: 'poison',
    pos,
    source: role?.role === 'source' ? role.source : '',
    reject: poisonReject(msg, pos, role, reason, fingerprint),
  });
  if (role === undefined) return poison(`message on a topic the sink does not read (${pos.topic})`);
  if (msg.value === null) return poison('empty message (no value)');
  let json: unknown;
  try {
    json = JSON.parse(msg.value.toString('utf8'));
  } catch (e) {
    return poison(`not JSON: ${errorMessage(e)}`);
  }
  if (role.role === 'source') {
    let event: CanonicalEvent;
    if (isCanonicalAsIs(json)) event = json;
    else {
      const r = canonicalEvent.safeParse(json);
      if (!r.success) return poison(`not a canonical event: ${oneLine(r.error)}`);
      event = r.data;
    }
    if (event.source !== role.source) return poison(`event of source ${event.source} on the topic of ${role.source}`);
    return { kind: 'event', event, pos };
  }
  if (role.role === 'rejects') {
    const r = rejectMessage.safeParse(json);
    return r.success ? { kind: 'reject', reject: r.data, pos } : poison(`not a reject message: ${oneLine(r.error)}`);
  }
  const r = runMessage.safeParse(json);
  return r.success ? { kind: 'run', run: r.data, pos } : poison(`not a run message: ${oneLine(r.error)}`);
}

function oneLine(e: z.ZodError): string {
  return z.prettifyError(e).replace(/\s*\n\s*/g, '; ').slice(0, 500);
}

function poisonReject(msg: RawMessage, pos: KafkaPosition, role: TopicRole | undefined, reason: string, fingerprint: Fingerprint): RejectMessage {
  const bytes = msg.value ?? Buffer.alloc(0);
  const text = bytes.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(bytes);
  const origin = { uri: `kafka://${pos.topic}/${pos.partition}/${pos.offset}` };
  // Redacted by key and by value, or withheld (an HMAC of the bytes and the location) when that
  // cannot be done with certainty: the same rule as a connector's rejects. JSON.parse quotes the
  // text it stops at, so the reason is redacted too.
  const kept = redactOriginal({ origin, original: utf8 ? text : bytes.toString('base64'), originalEncoding: utf8 ? 'utf8' : 'base64', fields: { parseError: reason } }, fingerprint);
  // The message timestamp, not the clock: a redelivered poison message makes the same row again.
  const ts = Number(msg.timestamp);
  return {
    run_id: '',
    source: role?.role === 'source' ? role.source : SOURCES[0],
    entity: '',
    origin,
    field: '',
    reason: cut(redactReason(reason), MAX_LENGTH.reason),
    original: kept.original,
    original_encoding: kept.encoding,
    rejected_at: new Date(Number.isFinite(ts) && ts > 0 ? ts : 0).toISOString(),
    topic: pos.topic,
    partition: pos.partition,
    offset: pos.offset,
  };
}
