// The spellings of the one-stop-shop sync payload that real systems send (SOURCES.md): each lands
// with its meaning instead of being rejected or silently read as "no".
import { describe, expect, it } from 'vitest';
import { parseOnlinePayment } from '../../connectors/common/values.ts';
import { MAPPERS } from '../../connectors/mappers.ts';
import { pseudonymiser } from '../../connectors/pii.ts';

const hash = pseudonymiser('a-test-secret-of-32-characters!!');

const base = {
  MaHoSo: 'T01-250101-0001',
  MaTTHC: '1.000105',
  DonViXuLy: 'T01',
  KenhThucHien: 2,
  NgayNopHoSo: '20250101011908',
  NgayTiepNhan: '20250101083200',
  TrangThaiHoSo: 4,
  HoSoCoThanhPhanSoHoa: 0,
  DuocThanhToanTrucTuyen: 0,
};

function dossier(fields: Record<string, unknown>) {
  const r = MAPPERS.dossiers.map({ fields: { hoSo: fields }, origin: { uri: 'x.ndjson', line: 1 }, runId: 'run-1', exportedAt: '2025-04-01T00:00:00+07:00', pseudonymise: hash });
  if (r.kind !== 'ok') throw new Error(`rejected: ${r.reason}`);
  return r.event.data as Record<string, unknown>;
}

describe('DuocThanhToanTrucTuyen', () => {
  it.each([
    [0, false],
    [1, true],
    [2, true],
    ['2', true],
    [' 2 ', true],
    ['Có', true],
    ['khong', false],
    [true, true],
    ['', false],
  ])('%j is paid online: %s', (v, online) => {
    expect(parseOnlinePayment(v)).toEqual({ ok: true, value: online });
    expect(dossier({ ...base, DuocThanhToanTrucTuyen: v }).paid_online).toBe(online);
  });

  it('3 is a reject that names the field and the expected codes', () => {
    const r = MAPPERS.dossiers.map({ fields: { hoSo: { ...base, DuocThanhToanTrucTuyen: 3 } }, origin: { uri: 'x', line: 1 }, runId: 'r', exportedAt: '2025-04-01T00:00:00+07:00', pseudonymise: hash });
    expect(r.kind).toBe('reject');
    if (r.kind === 'reject') {
      expect(r.field).toBe('DuocThanhToanTrucTuyen');
      expect(r.reason).toContain("2 the province's gateway");
    }
  });
});

describe('field spellings', () => {
  it('TrangThaiHoSoId is the status', () => {
    const { TrangThaiHoSo: _, ...rest } = base;
    expect(dossier({ ...rest, TrangThaiHoSoId: 9, NgayKetThucXuLy: '20250103083200' }).status).toBe(9);
  });

  it('HoSoCoThanhPhanSoHo (sic) is the digitised flag', () => {
    const { HoSoCoThanhPhanSoHoa: _, ...rest } = base;
    expect(dossier({ ...rest, HoSoCoThanhPhanSoHo: 1 }).has_digitized_components).toBe(true);
    expect(dossier({ ...rest, HoSoCoThanhPhanSoHo: 0 }).has_digitized_components).toBe(false);
  });
});
