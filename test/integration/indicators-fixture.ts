// A hand-made province fragment for the indicator tests: two wards of one city over 1-3 March 2025,
// small enough to check every value by hand (the expected values are worked out in
// indicators-compute.test.ts). Rows go straight into the latest-state tables.
import type { Store } from '../../infra/clickhouse/store.ts';

const meta = { updated_at: '2025-03-10 00:00:00', event_id: 'e', run_id: 'fixture' };

export const UNITS = [
  { code: 'T01', name: 'Tỉnh Sông Hồng', level: 'TINH', parent_code: '', valid_from: '2020-01-01', valid_to: null },
  { code: 'H01', name: 'Thành phố Hòa Bình', level: 'HUYEN', parent_code: 'T01', valid_from: '2020-01-01', valid_to: null },
  { code: 'X0101', name: 'Phường Trần Phú', level: 'XA', parent_code: 'H01', valid_from: '2020-01-01', valid_to: null },
  { code: 'X0102', name: 'Phường Lê Lợi', level: 'XA', parent_code: 'H01', valid_from: '2020-01-01', valid_to: null },
  { code: 'H02', name: 'Huyện Yên Sơn', level: 'HUYEN', parent_code: 'T01', valid_from: '2020-01-01', valid_to: null },
];

const svc = (record_id: string, unit_code: string, procedure_code: string, online_level: string, redesigned: boolean, valid_from: string, valid_to: string | null = null) => ({
  record_id, unit_code, procedure_code, procedure_name: '', level: 'XA', online_level, has_fee: false, redesigned, valid_from, valid_to, ...meta,
});
export const SERVICES = [
  svc('S1', 'X0101', 'P1', 'full', true, '2025-01-01'),
  svc('S2', 'X0101', 'P2', 'partial', false, '2025-01-01'),
  svc('S3', 'X0101', 'P3', 'none', false, '2025-01-01'),
  svc('S4', 'X0101', 'P4', 'full', false, '2025-03-15'), // from mid-March: in the month's stock, not in 1 March's
  svc('S5', 'X0102', 'P1', 'full', false, '2025-01-01'),
  svc('S6', 'X0102', 'P2', 'partial', true, '2025-01-01', '2025-03-20'), // ended before the month's end
];

interface D {
  id: string;
  unit: string;
  proc: string;
  channel: 'online' | 'in_person';
  status: number;
  received?: string;
  finished?: string;
  due?: string;
  digitized?: boolean;
  vneid?: boolean;
  reused?: boolean;
  eresult?: boolean;
}
const dossier = (d: D) => ({
  record_id: d.id, unit_code: d.unit, procedure_code: d.proc, procedure_name: '', field_code: '', channel: d.channel, status: d.status,
  applicant_type: null, submitted_at: null, received_at: d.received ?? null, due_at: d.due ?? null, finished_at: d.finished ?? null,
  returned_at: null, refused_at: null, has_digitized_components: d.digitized ?? false, vneid_authenticated: d.vneid ?? false,
  paid_online: false, components_count: 1, has_reused_component: d.reused ?? false, has_electronic_result: d.eresult ?? false,
  applicant_hash: null, ...meta,
});
export const DOSSIERS = [
  dossier({ id: 'D01', unit: 'X0101', proc: 'P1', channel: 'online', status: 10, received: '2025-03-01 08:00:00', finished: '2025-03-02 10:00:00', due: '2025-03-05 17:00:00', digitized: true, vneid: true, eresult: true }),
  dossier({ id: 'D02', unit: 'X0101', proc: 'P1', channel: 'in_person', status: 4, received: '2025-03-01 09:00:00' }),
  dossier({ id: 'D03', unit: 'X0101', proc: 'P2', channel: 'online', status: 9, received: '2025-03-01 10:00:00', finished: '2025-03-03 16:00:00', due: '2025-03-02 17:00:00', reused: true }),
  // 23:30 in Viet Nam: still 2 March (16:30 UTC).
  dossier({ id: 'D04', unit: 'X0101', proc: 'P3', channel: 'online', status: 2, received: '2025-03-02 23:30:00', digitized: true }),
  dossier({ id: 'D05', unit: 'X0101', proc: 'P1', channel: 'online', status: 1 }), // registered, not received
  dossier({ id: 'D06', unit: 'X0101', proc: 'P2', channel: 'online', status: 3, received: '2025-03-02 11:00:00' }), // refused at reception
  dossier({ id: 'D07', unit: 'X0101', proc: 'P1', channel: 'in_person', status: 10, received: '2025-03-02 08:00:00', finished: '2025-03-03 09:00:00', eresult: true }), // no due date
  dossier({ id: 'D11', unit: 'X0102', proc: 'P1', channel: 'online', status: 2, received: '2025-03-01 14:00:00', vneid: true }),
  dossier({ id: 'D12', unit: 'X0102', proc: 'P2', channel: 'online', status: 2, received: '2025-03-03 08:00:00', digitized: true, reused: true }),
  dossier({ id: 'D13', unit: 'X0102', proc: 'P2', channel: 'in_person', status: 10, received: '2025-03-03 08:30:00', finished: '2025-03-03 15:00:00', due: '2025-03-10 17:00:00' }),
];

const pay = (record_id: string, unit_code: string, dossier_code: string | null, procedure_code: string | null, method: string, status: string, paid_at: string) => ({
  record_id, unit_code, dossier_code, procedure_code, amount: 50_000, method, status, paid_at, ...meta,
});
export const PAYMENTS = [
  pay('PM1', 'H01', 'D01', 'P1', 'online', 'success', '2025-03-01 10:00:00'), // recorded by the city, counted for D01's ward
  pay('PM2', 'X0101', 'D02', null, 'in_person', 'success', '2025-03-01 11:00:00'), // procedure from the dossier
  pay('PM3', 'X0102', null, 'P5', 'online', 'success', '2025-03-02 09:00:00'),
  pay('PM4', 'X0101', 'D03', 'P2', 'online', 'failed', '2025-03-01 12:00:00'), // failed: ignored
  pay('PM5', 'X0102', 'DX', null, 'in_person', 'success', '2025-03-03 09:00:00'), // unknown dossier, no procedure
  pay('PM6', 'X0101', null, 'P7', 'in_person', 'success', '2025-03-02 15:00:00'),
];

const rate = (record_id: string, unit_code: string, dossier_code: string | null, level: string, rated_at: string) => ({ record_id, unit_code, dossier_code, level, rated_at, ...meta });
export const RATINGS = [
  rate('R1', 'T01', 'D01', 'very_satisfied', '2025-03-01 16:00:00'),
  rate('R2', 'X0101', null, 'unsatisfied', '2025-03-01 17:00:00'),
  rate('R3', 'X0102', null, 'satisfied', '2025-03-02 08:00:00'),
];

const doc = (record_id: string, unit_code: string, issued_at: string, register: string, form: string, signature: string, to_state_agencies: boolean, secrecy: string) => ({
  record_id, unit_code, number: record_id, register, kind: 'CV', issued_at, received_at: null, form, signature, secrecy, to_state_agencies, via_national_axis: false, ...meta,
});
export const DOCUMENTS = [
  doc('V1', 'X0101', '2025-03-01', 'outgoing', 'electronic', 'specialised', true, 'normal'),
  doc('V2', 'X0101', '2025-03-01', 'outgoing', 'paper', 'none', true, 'normal'),
  doc('V3', 'X0101', '2025-03-01', 'outgoing', 'electronic', 'specialised', true, 'secret'),
  doc('V4', 'X0101', '2025-03-02', 'outgoing', 'electronic', 'public', false, 'normal'),
  doc('V5', 'X0101', '2025-03-02', 'incoming', 'electronic', 'specialised', true, 'normal'),
  doc('V6', 'X0102', '2025-03-03', 'outgoing', 'electronic', 'specialised', true, 'top_secret'),
  doc('V7', 'H01', '2025-03-03', 'outgoing', 'electronic', 'specialised', true, 'normal'),
];

const wr = (record_id: string, unit_code: string, opened_at: string, processed_online: boolean, secrecy: string) => ({
  record_id, unit_code, level: 'XA', opened_at, closed_at: null, processed_online, secrecy, ...meta,
});
export const WORK_RECORDS = [
  wr('W1', 'X0101', '2025-03-01', true, 'normal'),
  wr('W2', 'X0101', '2025-03-01', false, 'normal'),
  wr('W3', 'X0101', '2025-03-02', true, 'secret'),
  wr('W4', 'X0102', '2025-03-02', true, 'normal'),
  wr('W5', 'X0102', '2025-03-03', false, 'absolute_secret'),
];

export async function insertFixture(store: Store): Promise<void> {
  const put = (table: string, values: object[]) => store.client.insert({ table: `${store.db}.${table}`, values, format: 'JSONEachRow' });
  await put('units', UNITS);
  await put('services', SERVICES);
  await put('dossiers', DOSSIERS);
  await put('payments', PAYMENTS);
  await put('ratings', RATINGS);
  await put('documents', DOCUMENTS);
  await put('work_records', WORK_RECORDS);
}
