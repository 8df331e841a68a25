// The sink's pure parts: time conversion to Asia/Ho_Chi_Minh, the days a record counts on, the
// decoding of good and poison messages, rows as UTF-8 lines and the insert statement (no server).
import { describe, expect, it } from 'vitest';
import { pseudonymiser } from '../../connectors/pii.ts';
import { eventId } from '../../schemas/events.ts';
import { topics } from '../../schemas/topics.ts';
import { insertStatement } from '../../infra/clickhouse/store.ts';
import { decode, topicRoles } from '../../services/sink/decode.ts';
import { joinLines, LineBuffer, lineBytes } from '../../services/sink/lines.ts';
import { hcmDay } from '../../indicators/periods.ts';
import { chTime, latestRow, prepareEvent, rawLine, touchedDays } from '../../services/sink/rows.ts';
import { previousVersions } from '../../services/sink/previous.ts';
import { touchedRows } from '../../services/sink/write.ts';

const t = topics('');
const roles = topicRoles(t);
const pos = { topic: t.source('public-service-portal'), partition: 2, offset: '41' };
const fingerprint = pseudonymiser('sink-rows-test-secret-0123456789').bytes;
const buffer = new LineBuffer();

function payment(paidAt: string) {
  const updated = '2025-03-04T23:30:00+07:00';
  return {
    event_id: eventId('public-service-portal', 'payments', 'TT-1', updated),
    record_id: 'TT-1',
    unit_code: 'U01',
    updated_at: updated,
    run_id: 'r',
    origin: { uri: 'https://dvc.example.vn/api/payments', page: 3, index: 7 },
    source: 'public-service-portal',
    entity: 'payments',
    data: { dossier_code: null, procedure_code: null, amount: 1000, method: 'online', status: 'success', paid_at: paidAt },
  };
}

describe('sink rows', () => {
  it('writes times as Asia/Ho_Chi_Minh local time, whatever offset they came with', () => {
    expect(chTime('2025-03-04T23:30:00+07:00')).toBe('2025-03-04 23:30:00.000');
    expect(chTime('2025-03-04T23:30:00.5+07:00')).toBe('2025-03-04 23:30:00.500');
    expect(chTime('2025-03-04T23:30:00.123456+07:00')).toBe('2025-03-04 23:30:00.123');
    expect(chTime('2025-03-04T23:30:00+00:00')).toBe('2025-03-05 06:30:00.000');
    expect(chTime('2025-03-04T16:30:00Z')).toBe('2025-03-04 23:30:00.000');
    expect(chTime('2025-03-04T18:30:00.123+02:00')).toBe('2025-03-04 23:30:00.123');
    expect(hcmDay('2025-03-04T17:30:00Z')).toBe('2025-03-05');
    expect(hcmDay('2025-03-04T23:59:59+07:00')).toBe('2025-03-04');
  });

  it('counts a payment on its paid day in Viet Nam and maps its latest row', () => {
    const d = decode({ value: Buffer.from(JSON.stringify(payment('2025-03-04T17:10:00Z'))), offset: '41', timestamp: '0' }, pos, roles.get(pos.topic), fingerprint);
    expect(d.kind).toBe('event');
    if (d.kind !== 'event') return;
    expect(touchedDays(d.event)).toEqual(['2025-03-05']);
    expect(latestRow(d.event)).toMatchObject({ record_id: 'TT-1', paid_at: '2025-03-05 00:10:00.000', updated_at: '2025-03-04 23:30:00.000', amount: 1000 });
  });

  it('writes a dossier\'s steps as step_statuses and Asia/Ho_Chi_Minh step_times, and an older event without them as the defaults (contract A)', () => {
    const updated = '2025-03-04T10:00:00+07:00';
    const event = (data: Record<string, unknown>) => ({
      event_id: eventId('one-stop-shop', 'dossiers', 'HS-1', updated),
      record_id: 'HS-1',
      unit_code: 'U01',
      updated_at: updated,
      run_id: 'r',
      origin: { uri: '/x.ndjson', line: 1 },
      source: 'one-stop-shop',
      entity: 'dossiers',
      data: {
        procedure_code: '1.001', procedure_name: '', field_code: '', channel: 'online', status: 5, applicant_type: null,
        submitted_at: null, received_at: '2025-03-01T09:00:00+07:00', due_at: null, finished_at: null, returned_at: null, refused_at: null,
        has_digitized_components: false, vneid_authenticated: false, paid_online: false, components_count: 0, has_reused_component: false,
        has_electronic_result: false, applicant_hash: null, ...data,
      },
    });
    const ossPos = { topic: t.source('one-stop-shop'), partition: 0, offset: '1' };
    const decoded = (data: Record<string, unknown>) => {
      const d = decode({ value: Buffer.from(JSON.stringify(event(data))), offset: '1', timestamp: '0' }, ossPos, roles.get(ossPos.topic), fingerprint);
      if (d.kind !== 'event') throw new Error(d.kind);
      return latestRow(d.event);
    };
    const steps = [{ status: 2, at: '2025-03-01T09:00:00+07:00' }, { status: 5, at: '2025-03-02T03:15:00.250Z' }];
    expect(decoded({ has_component_file: true, has_national_repo_component: true, has_fee: true, steps })).toMatchObject({
      has_component_file: true, has_national_repo_component: true, has_fee: true, step_statuses: [2, 5], step_times: ['2025-03-01 09:00:00.000', '2025-03-02 10:15:00.250'],
    });
    expect(decoded({})).toMatchObject({ has_component_file: false, has_national_repo_component: false, has_fee: false, step_statuses: [], step_times: [] });
  });

  it("takes zod's output, not the message, when zod would change it: unknown keys stripped, defaults filled in", () => {
    const dmTopic = t.source('document-management');
    const updated = '2025-03-04T10:00:00+07:00';
    const doc = {
      event_id: eventId('document-management', 'documents', 'VB-1', updated),
      record_id: 'VB-1', unit_code: 'U01', updated_at: updated, run_id: 'r', origin: { uri: '/x.csv', line: 2 },
      source: 'document-management', entity: 'documents', extra: 'dropped',
      // number and kind left out: their defaults ('') are filled in.
      data: { register: 'outgoing', issued_at: '2025-03-04', received_at: null, form: 'electronic', signature: 'public', secrecy: 'normal', to_state_agencies: true, via_national_axis: true, note: 'dropped' },
    };
    const d = decode({ value: Buffer.from(JSON.stringify(doc)), offset: '7', timestamp: '0' }, { ...pos, topic: dmTopic }, roles.get(dmTopic), fingerprint);
    expect(d.kind).toBe('event');
    if (d.kind !== 'event') return;
    expect(d.event).not.toHaveProperty('extra');
    expect(d.event.data).not.toHaveProperty('note');
    expect(d.event.data).toMatchObject({ number: '', kind: '' });
    expect(rawLine(d.event, pos)).not.toMatch(/dropped/);
  });

  it('turns bad JSON, a schema mismatch and a wrong-source event into poison rejects that say where they sat', () => {
    const bad = decode({ value: Buffer.from('{"x":'), offset: '41', timestamp: '1741100000000' }, pos, roles.get(pos.topic), fingerprint);
    expect(bad).toMatchObject({ kind: 'poison', source: 'public-service-portal', reject: { topic: pos.topic, partition: 2, offset: '41', original: '{"x":' } });
    const mismatch = decode({ value: Buffer.from(JSON.stringify({ ...payment('x'), data: {} })), offset: '41', timestamp: '0' }, pos, roles.get(pos.topic), fingerprint);
    expect(mismatch.kind).toBe('poison');
    if (mismatch.kind === 'poison') expect(mismatch.reject.reason).toMatch(/^not a canonical event/);
    const other = decode({ value: Buffer.from(JSON.stringify(payment('2025-03-04T17:10:00Z'))), offset: '1', timestamp: '0' }, { ...pos, topic: t.source('one-stop-shop') }, roles.get(t.source('one-stop-shop')), fingerprint);
    expect(other.kind).toBe('poison');
    const binary = decode({ value: Buffer.from([0xff, 0xfe, 0x00]), offset: '2', timestamp: '0' }, { ...pos, topic: t.runs }, roles.get(t.runs), fingerprint);
    // A NUL byte: UTF-16 or binary, where ids hide from the value scan; withheld, an HMAC kept.
    expect(binary).toMatchObject({ kind: 'poison', source: '', reject: { original_encoding: 'utf8', original: `[withheld: bytes that are not text (NUL: UTF-16 or binary?); see origin; 3 bytes; hmac-sha256 ${fingerprint(Buffer.from([0xff, 0xfe, 0x00]))}]` } });
    const latin = decode({ value: Buffer.from([0x7b, 0xe9, 0x7d]), offset: '3', timestamp: '0' }, { ...pos, topic: t.runs }, roles.get(t.runs), fingerprint);
    expect(latin).toMatchObject({ kind: 'poison', reject: { original_encoding: 'base64', original: 'e+l9' } });
  });

  it('redacts the personal values of a poison message, in its original and its reason', () => {
    const text = '{"note":"CCCD 001085012345, ĐT 0912 345 678, a.b@example.vn", "x":';
    const d = decode({ value: Buffer.from(text), offset: '9', timestamp: '0' }, pos, roles.get(pos.topic), fingerprint);
    expect(d.kind).toBe('poison');
    if (d.kind !== 'poison') return;
    expect(d.reject.original).toBe('{"note":"CCCD [redacted], ĐT [redacted], [redacted]", "x":');
    expect(d.reject.origin).toEqual({ uri: `kafka://${pos.topic}/2/41` });
    const leaks = /001085012345|0912 345 678|a\.b@example\.vn/;
    expect(d.reject.original).not.toMatch(leaks);
    expect(d.reject.reason).toMatch(/^not JSON/);
    expect(d.reject.reason).not.toMatch(leaks);
    // Escaped, the values are found all the same.
    const escaped = decode({ value: Buffer.from('{"ma_ho_so":"\\u0030\\u0030\\u0031085012345"}'), offset: '10', timestamp: '0' }, pos, roles.get(pos.topic), fingerprint);
    expect(escaped.kind === 'poison' && escaped.reject.original).toBe('{"ma_ho_so":"[redacted]"}');
  });

  it('keeps rows as UTF-8 lines, Vietnamese text and rows larger than a slab included', () => {
    const text = JSON.stringify(['HS-1', 'Cấp giấy phép xây dựng', 'Đắk Lắk']);
    const a = buffer.line(text);
    expect(lineBytes(a).toString('utf8')).toBe(`${text}\n`);
    const big = JSON.stringify(['x'.repeat(3 << 20)]);
    const b = buffer.line(big);
    const c = buffer.line(text);
    expect(b.end - b.start).toBe(big.length + 1);
    expect(Buffer.concat([a, b, c].map(lineBytes)).toString('utf8')).toBe(`${text}\n${big}\n${text}\n`);
  });

  it('joins lines in their order, whether adjacent in a slab, apart, or in slabs of other streams', () => {
    const a = buffer.line('["a"]', 'one');
    const b = buffer.line('["b"]', 'one');
    const x = buffer.line('["x"]', 'two');
    const c = buffer.line('["c"]', 'one');
    const big = buffer.line(JSON.stringify(['y'.repeat(2 << 20)]), 'one');
    const d = buffer.line('["d"]', 'one');
    expect(b.slab).toBe(a.slab);
    expect(b.start).toBe(a.end);
    const lines = [a, b, x, d, c, big, a];
    expect(joinLines(lines).toString('utf8')).toBe(lines.map((l) => lineBytes(l).toString('utf8')).join(''));
    expect(joinLines([]).length).toBe(0);
  });

  it("puts an insert's settings in the statement, strings quoted", () => {
    const sql = insertStatement('chiso', { table: 'raw_events', columns: ['event_id', 'payload'], format: 'JSONCompactEachRow', settings: { insert_deduplication_token: "raw_events/x|t:0:1-2,o'k\\", input_format_json_read_objects_as_strings: 1 } });
    expect(sql).toBe(
      "INSERT INTO chiso.raw_events (event_id, payload) SETTINGS insert_deduplication_token = 'raw_events/x|t:0:1-2,o\\'k\\\\', input_format_json_read_objects_as_strings = 1 FORMAT JSONCompactEachRow",
    );
  });

  it('keeps touched-day keys as fields: any character of a unit code stays in its column', () => {
    const ev = (unit: string, paidAt: string) => prepareEvent({ ...(payment(paidAt) as never as Parameters<typeof prepareEvent>[0]), unit_code: unit }, pos, buffer);
    // Codes the schemas refuse (NUL, a separator-looking text) still could never split into other columns.
    const events = [ev('A\u0000B', '2025-03-04T10:00:00+07:00'), ev('A', '2025-03-04T10:00:00+07:00'), ev('A\u0000B', '2025-03-04T11:00:00+07:00'), ev('A\u0000B', '2025-03-05T01:00:00+07:00')];
    const rows = touchedRows(events, 'b1', '2025-03-06 00:00:00.000');
    expect(rows.map((r) => [r.entity, r.unit_code, r.day])).toEqual([
      ['payments', 'A\u0000B', '2025-03-04'],
      ['payments', 'A\u0000B', '2025-03-05'],
      ['payments', 'A', '2025-03-04'],
    ]);
  });

  it("takes as previous version the newest stored row but those of the flush's fresh events: a duplicate's row counts", () => {
    const v1 = prepareEvent(payment('2025-03-03T10:00:00+07:00') as never as Parameters<typeof prepareEvent>[0], pos, buffer);
    const v2 = prepareEvent({ ...(payment('2025-03-05T10:00:00+07:00') as never as Parameters<typeof prepareEvent>[0]), event_id: 'e2', updated_at: '2025-03-05T23:30:00+07:00' }, pos, buffer);
    const row = (e: typeof v1, day: string, updated: string) => ({ entity: 'payments' as const, record_id: 'TT-1', event_id: e.event_id, updated_at: updated, unit_code: 'U01', days: [day] });
    // Stored: version 1 (an earlier flush), and version 2 written by a try of this flush that crashed.
    const stored = [row(v1, '2025-03-03', '2025-03-04 23:30:00.000'), row(v2, '2025-03-05', '2025-03-05 23:30:00.000')];
    // This flush: version 2 (fresh) and version 1 again (a duplicate, already in raw_events).
    const previous = previousVersions(stored, [v2]);
    expect([...previous.values()]).toEqual([{ unit_code: 'U01', days: ['2025-03-03'] }]);
    expect(touchedRows([v2], 'b', '2025-03-06 00:00:00.000', previous).map((r) => r.day).sort()).toEqual(['2025-03-03', '2025-03-05']);
  });

  it('rejects identifiers with NUL, control characters or invalid UTF-8 and over-long codes at decode, as poison', () => {
    for (const unit of ['U\u0000', 'U\u0007', '\uFFFD01', 'U'.repeat(300)]) {
      const d = decode({ value: Buffer.from(JSON.stringify({ ...payment('2025-03-04T10:00:00+07:00'), unit_code: unit })), offset: '41', timestamp: '0' }, pos, roles.get(pos.topic), fingerprint);
      expect(d.kind).toBe('poison');
      if (d.kind === 'poison') expect(d.reject.reason).toMatch(/unit_code/);
    }
  });
});
