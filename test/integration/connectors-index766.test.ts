// Storage contract A end to end: a one-stop-shop dossier with its processing history and a catalogue
// row with CoKetQuaGiay / ThoiHanGiaiQuyet go through the connectors, the real Kafka broker and the
// real sink into ClickHouse (chDB): the dossier lands with step_statuses / step_times sorted by time
// and its component and fee flags, the service with has_paper_result / max_days; a corrected export of
// the dossier (later NgayCapNhat) replaces its steps; a dossier with a bad step is a reject whose
// original keeps no handler's name.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { ingestPath } from '../../connectors/files.ts';
import type { RunSummary } from '../../connectors/run.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { randomName } from '../support/env.ts';
import { type ConnectorEnv, connectorEnv } from './connectors-helpers.ts';

const HANDLER = 'Đinh Văn Xử Lý';

const step = (TrangThai: number, ThoiDiemXuLy: string) => ({
  MaHoSo: 'HS-766',
  NguoiXuLy: HANDLER,
  ChucDanh: 'Chuyên viên',
  PhongBanXuLy: 'Phòng Tư pháp',
  NoiDungXuLy: 'Xử lý hồ sơ',
  TrangThai,
  ThoiDiemXuLy,
  NgayBatDau: ThoiDiemXuLy,
  NgayKetThucTheoQuyDinh: '20250314170000',
});

const hoSo = (updated: string, status: number) => ({
  MaHoSo: 'HS-766',
  MaTTHC: '2.000815',
  TenTTHC: 'Chứng thực bản sao từ bản chính giấy tờ, văn bản',
  DonViXuLy: 'X0101',
  KenhThucHien: 2,
  NgayNopHoSo: '20250310080000',
  NgayTiepNhan: '20250310083000',
  NgayHenTra: '20250314170000',
  NgayKetThucXuLy: status >= 9 ? '20250313160000' : '',
  TrangThaiHoSo: status,
  HoSoCoThanhPhanSoHoa: 1,
  DuocThanhToanTrucTuyen: 2,
  TaiLieuNop: [
    { MaThanhPhanHoSo: 'TP01', TenTepDinhKem: 'to-khai.pdf', DuocSoHoa: 1, DuocTaiSuDung: 0, DuocLayTuKhoDMQG: 0 },
    { MaThanhPhanHoSo: 'TP02', TenTepDinhKem: '', DuocSoHoa: 0, DuocTaiSuDung: 0, DuocLayTuKhoDMQG: 1 },
  ],
  DanhSachLePhi: [{ MaPhiLePhi: 'LP01', TenPhiLePhi: 'Lệ phí chứng thực', Gia: '2.000', HinhThucThu: 2 }],
  DanhSachGiayToKetQua: [],
  NgayCapNhat: updated,
});

interface Row {
  record_id: string;
  status: number;
  step_statuses: number[];
  step_times: string[];
  has_component_file: boolean;
  has_national_repo_component: boolean;
  has_fee: boolean;
  paid_online: boolean;
}

describe('Decision 766 inputs through the connectors and the sink (storage contract A)', () => {
  let env: ConnectorEnv;
  let store: Store;
  let sink: Sink;
  let checkpoints: FileCheckpoints;
  const groupId = randomName('sink766');
  const dir = mkdtempSync(join(tmpdir(), 'chiso-766-'));

  async function ingestAndWait(source: 'one-stop-shop' | 'public-service-portal', path: string): Promise<RunSummary[]> {
    const runs = await ingestPath(env.deps, { source, path, checkpoints });
    const produced: Record<string, string> = {};
    for (const r of runs) for (const [k, v] of Object.entries(r.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
    await waitForSink({ kafka: env.kafka, groupId, produced, timeoutMs: 120_000 });
    return runs;
  }

  const dossier = async (): Promise<Row[]> =>
    select<Row>(
      store,
      `SELECT record_id, status, step_statuses, arrayMap(t -> toString(t), step_times) AS step_times, has_component_file, has_national_repo_component, has_fee, paid_online
       FROM ${store.db}.dossiers FINAL WHERE record_id = {id:String}`,
      { id: 'HS-766' },
    );

  beforeAll(async () => {
    env = await connectorEnv();
    const log = createLogger('warn');
    store = await openStore(env.cfg.clickhouse);
    await migrate(store, log);
    sink = createSink({ cfg: env.cfg, store, log, groupId, options: { lingerMs: 200 } });
    await sink.start();
    checkpoints = new FileCheckpoints(join(env.cfg.dataDir, 'checkpoints'));
  });

  afterAll(async () => {
    await sink?.stop();
    await store?.close();
    await env?.close();
  });

  it('stores the history sorted by time, the flags and the fee; the catalogue row its paper result and deadline; a bad step is a redacted reject', async () => {
    // Out of order, with a supplement request (5) answered (4); and a second dossier whose step has an unknown status.
    const first = { hoSo: hoSo('20250313170000', 9), tienTrinhDongBo: [step(9, '20250313160000'), step(2, '20250310083000'), step(5, '20250311100000'), step(4, '20250310093000'), step(4, '20250312090000')] };
    const bad = { hoSo: { ...hoSo('20250313170000', 4), MaHoSo: 'HS-767' }, tienTrinhDongBo: [step(2, '20250310083000'), step(42, '20250311100000')] };
    writeFileSync(join(dir, 'dossiers-1.ndjson'), `${JSON.stringify(first)}\n${JSON.stringify(bad)}\n`);
    const services = {
      data: [
        { MaTTHC: '2.000815', TenTTHC: 'Chứng thực bản sao', MaDonVi: 'X0101', CapThucHien: 'XA', MucDo: 'TOAN_TRINH', CoPhiLePhi: 1, ThietKeLai: 0, HieuLucTu: '01/01/2025', HieuLucDen: '', CoKetQuaGiay: 'Có', ThoiHanGiaiQuyet: '2 ngày làm việc' },
        { MaTTHC: '1.001193', TenTTHC: 'Đăng ký khai sinh', MaDonVi: 'X0101', CapThucHien: 'XA', MucDo: 'TOAN_TRINH', CoPhiLePhi: 0, ThietKeLai: 1, HieuLucTu: '01/01/2025', HieuLucDen: '' },
      ],
    };
    writeFileSync(join(dir, 'services.json'), JSON.stringify(services));

    const [oss] = await ingestAndWait('one-stop-shop', join(dir, 'dossiers-1.ndjson'));
    expect([oss?.accepted, oss?.rejected]).toEqual([1, 1]);
    const [psp] = await ingestAndWait('public-service-portal', join(dir, 'services.json'));
    expect([psp?.accepted, psp?.rejected]).toEqual([2, 0]);

    expect(await dossier()).toEqual([
      {
        record_id: 'HS-766',
        status: 9,
        step_statuses: [2, 4, 5, 4, 9],
        step_times: ['2025-03-10 08:30:00.000', '2025-03-10 09:30:00.000', '2025-03-11 10:00:00.000', '2025-03-12 09:00:00.000', '2025-03-13 16:00:00.000'],
        has_component_file: true,
        has_national_repo_component: true,
        has_fee: true,
        paid_online: true,
      },
    ]);
    const svc = await select<{ procedure_code: string; has_paper_result: boolean | null; max_days: number | null }>(
      store,
      `SELECT procedure_code, has_paper_result, max_days FROM ${store.db}.services FINAL ORDER BY procedure_code`,
    );
    expect(svc).toEqual([
      { procedure_code: '1.001193', has_paper_result: null, max_days: null },
      { procedure_code: '2.000815', has_paper_result: true, max_days: 2 },
    ]);

    const rejects = await select<{ field: string; reason: string; original: string }>(store, `SELECT field, reason, original FROM ${store.db}.rejects WHERE run_id = {run:String}`, { run: oss?.runId ?? '' });
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ field: 'tienTrinhDongBo[1].TrangThai', reason: expect.stringContaining('unknown code "42"') });
    expect(rejects[0]?.original).toContain('HS-767');
    expect(rejects[0]?.original).not.toContain(HANDLER);
    // The accepted dossier's raw payload keeps no step field but the status and the time either.
    const [raw] = await select<{ payload: string }>(store, `SELECT payload FROM ${store.db}.raw_events WHERE record_id = {id:String}`, { id: 'HS-766' });
    expect(raw?.payload).toContain('"steps":[{"status":2');
    for (const dropped of [HANDLER, 'Chuyên viên', 'Phòng Tư pháp', 'NoiDungXuLy']) expect(raw?.payload).not.toContain(dropped);
  });

  it('replaces the steps and flags with those of a corrected export (the later NgayCapNhat wins)', async () => {
    const corrected = {
      hoSo: { ...hoSo('20250314080000', 10), TaiLieuNop: [{ MaThanhPhanHoSo: 'TP01', TenTepDinhKem: '', DuocSoHoa: 0 }], DanhSachLePhi: [{ MaPhiLePhi: 'LP01', Gia: 0 }], NgayTra: '20250314070000' },
      tienTrinhDongBo: [step(2, '20250310083000'), step(4, '20250310093000'), step(9, '20250313160000'), step(10, '20250314070000')],
    };
    writeFileSync(join(dir, 'dossiers-2.ndjson'), `${JSON.stringify(corrected)}\n`);
    const [run] = await ingestAndWait('one-stop-shop', join(dir, 'dossiers-2.ndjson'));
    expect([run?.accepted, run?.rejected]).toEqual([1, 0]);
    expect(await dossier()).toEqual([
      {
        record_id: 'HS-766',
        status: 10,
        step_statuses: [2, 4, 9, 10],
        step_times: ['2025-03-10 08:30:00.000', '2025-03-10 09:30:00.000', '2025-03-13 16:00:00.000', '2025-03-14 07:00:00.000'],
        has_component_file: false,
        has_national_repo_component: false,
        has_fee: false,
        paid_online: true,
      },
    ]);
  });
});
