// Shared by the sink tests and the sink benchmark: valid canonical events built with the contract's
// own schemas and eventId(), a kafkajs producer that sends them as connectors do (key = record id),
// and the counts every sink test asserts on.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { select, type Store } from '../../infra/clickhouse/store.ts';
import { type CanonicalEvent, canonicalEvent, eventId, type RunMessage } from '../../schemas/events.ts';
import { topics } from '../../schemas/topics.ts';

const RUN = 'run-sink-test';

function at(day: number, hour: number): string {
  const d = new Date(Date.UTC(2025, 2, 1 + day, hour - 7, 0, 0));
  return `${d.toISOString().slice(0, 19)}+07:00`;
}

export function dossier(recordId: string, status: number, updatedAt: string, unit = 'U01', over: Partial<Extract<CanonicalEvent, { entity: 'dossiers' }>['data']> = {}): CanonicalEvent {
  return canonicalEvent.parse({
    event_id: eventId('one-stop-shop', 'dossiers', recordId, updatedAt),
    record_id: recordId,
    unit_code: unit,
    updated_at: updatedAt,
    run_id: RUN,
    origin: { uri: '/exports/dossiers.ndjson', line: 1 },
    source: 'one-stop-shop',
    entity: 'dossiers',
    data: {
      procedure_code: '1.001',
      procedure_name: 'Đăng ký khai sinh',
      field_code: 'HT',
      channel: 'online',
      status,
      applicant_type: 'citizen',
      submitted_at: '2025-03-01T08:00:00+07:00',
      received_at: '2025-03-01T09:00:00+07:00',
      due_at: '2025-03-05T17:00:00+07:00',
      finished_at: status === 10 ? updatedAt : null,
      returned_at: null,
      refused_at: null,
      has_digitized_components: true,
      vneid_authenticated: false,
      paid_online: false,
      components_count: 2,
      has_reused_component: false,
      has_electronic_result: status === 10,
      applicant_hash: null,
      ...over,
    },
  });
}

export function document(recordId: string, signature: 'none' | 'specialised' | 'public', updatedAt: string, unit = 'U01'): CanonicalEvent {
  return canonicalEvent.parse({
    event_id: eventId('document-management', 'documents', recordId, updatedAt),
    record_id: recordId,
    unit_code: unit,
    updated_at: updatedAt,
    run_id: RUN,
    origin: { uri: '/exports/documents.csv', line: 2 },
    source: 'document-management',
    entity: 'documents',
    data: {
      number: `${recordId}/UBND`,
      register: 'outgoing',
      kind: 'CV',
      issued_at: '2025-03-02',
      received_at: null,
      form: 'electronic',
      signature,
      secrecy: 'normal',
      to_state_agencies: true,
      via_national_axis: signature !== 'none',
    },
  });
}

export function payment(recordId: string, updatedAt: string, unit = 'U02'): CanonicalEvent {
  return canonicalEvent.parse({
    event_id: eventId('public-service-portal', 'payments', recordId, updatedAt),
    record_id: recordId,
    unit_code: unit,
    updated_at: updatedAt,
    run_id: RUN,
    origin: { uri: 'https://dvc.example.vn/api/payments', page: 1, index: 0 },
    source: 'public-service-portal',
    entity: 'payments',
    data: { dossier_code: null, procedure_code: '1.001', amount: 50000, method: 'online', status: 'success', paid_at: updatedAt },
  });
}

/** n distinct events over the three sources (60% dossiers, 25% documents, 15% payments), deterministic. */
export function mixedEvents(n: number, prefix = 'R'): CanonicalEvent[] {
  const out: CanonicalEvent[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 20;
    const unit = `U${String(i % 37).padStart(2, '0')}`;
    const t = at(i % 28, 8 + (i % 9));
    if (k < 12) out.push(dossier(`${prefix}-HS-${i}`, 1 + (i % 10), t, unit));
    else if (k < 17) out.push(document(`${prefix}-VB-${i}`, i % 2 ? 'public' : 'none', t, unit));
    else out.push(payment(`${prefix}-TT-${i}`, t, unit));
  }
  return out;
}

/** A later version of the first `n` dossiers among `events`: finished (status 10) on 2025-04-01. */
export function finishedLater(events: readonly CanonicalEvent[], n: number): CanonicalEvent[] {
  return events
    .filter((e) => e.entity === 'dossiers')
    .slice(0, n)
    .map((e) => dossier(e.record_id, 10, '2025-04-01T10:00:00+07:00', e.unit_code));
}

export function runLedger(runId: string, accepted: number): RunMessage {
  return {
    run_id: runId,
    source: 'one-stop-shop',
    entity: 'dossiers',
    origin: '/exports/dossiers.ndjson',
    started_at: '2025-03-10T08:00:00+07:00',
    finished_at: '2025-03-10T08:01:00+07:00',
    status: 'succeeded',
    read: accepted,
    accepted,
    rejected: 0,
    error: '',
    replay_of: '',
    updated_at: '2025-03-10T08:01:00+07:00',
    produced_offsets: {},
  };
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({ brokers, clientId: 'sink-test', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 300, maxRetryTime: 5000 } });
}

/** Sends the events to their source topics (key = record id), in chunks, retrying a chunk until the broker takes it. */
export async function produceEvents(producer: Producer, prefix: string, events: CanonicalEvent[], chunk = 2000, retries = 1): Promise<void> {
  const t = topics(prefix);
  for (let i = 0; i < events.length; i += chunk) {
    const part = events.slice(i, i + chunk);
    const bySource = new Map<string, { key: string; value: string }[]>();
    for (const e of part) {
      const list = bySource.get(t.source(e.source)) ?? [];
      list.push({ key: e.record_id, value: JSON.stringify(e) });
      bySource.set(t.source(e.source), list);
    }
    const batch = { acks: -1, topicMessages: [...bySource].map(([topic, messages]) => ({ topic, messages })) };
    // As a connector does: a chunk the broker did not take is sent again (a re-send may duplicate
    // messages on Kafka; the sink must not duplicate rows).
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.sendBatch(batch);
        break;
      } catch (e) {
        if (attempt >= retries) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

export async function rawCounts(store: Store): Promise<{ count: number; unique: number }> {
  const [r] = await select<{ c: string; u: string }>(store, `SELECT count() AS c, uniqExact(event_id) AS u FROM ${store.db}.raw_events`);
  return { count: Number(r?.c ?? 0), unique: Number(r?.u ?? 0) };
}

/** Polls until check() returns true, or fails with what() after timeoutMs. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string | (() => Promise<string> | string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${typeof what === 'string' ? what : await what()}`);
}
