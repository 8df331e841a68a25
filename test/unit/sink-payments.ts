// Payments as the sink's unit tests feed it: one canonical event per id, decoded and serialised the
// way the consumer does (one pseudonymiser key, one line buffer), at offsets of partition 3.
import { pseudonymiser } from '../../connectors/pii.ts';
import { eventId } from '../../schemas/events.ts';
import { topics } from '../../schemas/topics.ts';
import { decode, topicRoles } from '../../services/sink/decode.ts';
import { LineBuffer } from '../../services/sink/lines.ts';
import { type Item, toItem } from '../../services/sink/write.ts';

const t = topics('');
export const roles = topicRoles(t);
export const topic = t.source('public-service-portal');
export const fingerprint = pseudonymiser('sink-unit-test-secret-0123456789').bytes;
export const lines = new LineBuffer();

export function payment(id: string) {
  const updated = '2025-03-04T10:00:00+07:00';
  return {
    event_id: eventId('public-service-portal', 'payments', id, updated),
    record_id: id,
    unit_code: 'U01',
    updated_at: updated,
    run_id: 'r',
    origin: { uri: '/x.ndjson', line: 1 },
    source: 'public-service-portal',
    entity: 'payments',
    data: { dossier_code: null, procedure_code: null, amount: 1000, method: 'online', status: 'success', paid_at: updated },
  };
}

/** The payment of `id` as the sink's item at `offset` of partition 3. */
export function paymentItem(id: string, offset: string): Item {
  return toItem(decode({ value: Buffer.from(JSON.stringify(payment(id))), offset, timestamp: '0' }, { topic, partition: 3, offset }, roles.get(topic), fingerprint), lines);
}
