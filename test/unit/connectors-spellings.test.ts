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

describe('fields that look like known ones', () => {
  const map = (fields: Record<string, unknown>) =>
    MAPPERS.dossiers.map({ fields: { hoSo: fields }, origin: { uri: 'x', line: 1 }, runId: 'r', exportedAt: '2025-04-01T00:00:00+07:00', pseudonymise: hash });

  it('a near spelling of an optional field is a warning, and the field is not read', () => {
    const { HoSoCoThanhPhanSoHoa: _, ...rest } = base;
    const r = map({ ...rest, HoSoCoThanhPhanSoHoaa: 1 });
    expect(r.kind).toBe('ok');
    expect(r.warnings).toEqual([{ field: 'HoSoCoThanhPhanSoHoaa', looksLike: 'HoSoCoThanhPhanSoHoa' }]);
    if (r.kind === 'ok') expect((r.event.data as Record<string, unknown>).has_digitized_components).toBe(false);
  });

  it('a near spelling of a required field names it in the reject', () => {
    const { NgayTiepNhan: _, ...rest } = base;
    const r = map({ ...rest, NgayTiepNhann: '20250101083200' });
    expect(r.kind).toBe('reject');
    if (r.kind === 'reject') expect(r.reason).toBe('NgayTiepNhan: missing (the record has "NgayTiepNhann": a misspelling of NgayTiepNhan?)');
  });

  it('the fields of the samples raise no warning', async () => {
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(new URL('../../infra/samples/data/one-stop-shop/dossiers.ndjson', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const warned = lines.flatMap((l) => {
      try {
        return MAPPERS.dossiers.map({ fields: JSON.parse(l) as Record<string, unknown>, origin: { uri: 'x', line: 1 }, runId: 'r', exportedAt: '2025-04-01T00:00:00+07:00', pseudonymise: hash }).warnings ?? [];
      } catch {
        return [];
      }
    });
    expect(warned).toEqual([]);
  });

  it('unrelated fields of similar length are not look-alikes', () => {
    const r = map({ ...base, TenLinhVuc: 'Tư pháp', NgayTao: '20250101', GhiChu: 'x' });
    expect(r.warnings).toBeUndefined();
  });
});
