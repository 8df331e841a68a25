// Connector throughput: records/s for reading + mapping each export format (NDJSON, JSON array, ";"
// CSV with Vietnamese headings, XLSX), against a bare `JSON.parse` per line as the baseline, and for
// parse + produce of NDJSON dossiers into a broker started for the bench (acks = all, GZIP).
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { fileChunks, lines } from '../connectors/common/readers/bytes.ts';
import { formatOf, readFile } from '../connectors/files.ts';
import { MAPPERS } from '../connectors/mappers.ts';
import { pseudonymiser } from '../connectors/pii.ts';
import { openIngestion } from '../connectors/ingestion.ts';
import { startBroker, stopBroker } from '../infra/kafka/broker.ts';
import { createKafka } from '../infra/kafka/client.ts';
import { loadConfig } from '../schemas/config.ts';
import { createLogger } from '../lib/logger.ts';
import { freePortRun } from '../test/support/ports.ts';
import type { Bench, BenchFigure } from './types.ts';

const PARSE_RECORDS = 100_000;
const XLSX_RECORDS = 20_000;
const PRODUCE_RECORDS = 200_000;
const LARGE_EXPORT_BYTES = 2 ** 30;
const UNITS = ['X0101', 'X0102', 'X0103', 'X0104', 'X0201', 'X0202', 'X0203'];

function dossier(i: number): Record<string, unknown> {
  const day = 1 + (i % 28);
  return {
    hoSo: {
      MaHoSo: `HS-${i}`, MaTTHC: `1.00${i % 300}`, TenTTHC: 'Đăng ký khai sinh', DonViXuLy: UNITS[i % UNITS.length], KenhThucHien: 1 + (i % 3),
      NgayNopHoSo: `2025${String(1 + (i % 12)).padStart(2, '0')}${String(day).padStart(2, '0')}080000`, NgayTiepNhan: `${String(day).padStart(2, '0')}/0${1 + (i % 9)}/2025 08:30`,
      NgayHenTra: `2025-0${1 + (i % 9)}-${String(day).padStart(2, '0')}T17:00:00`, TrangThaiHoSo: [2, 4, 9, 10][i % 4], LoaiDoiTuong: 1, HoSoCoThanhPhanSoHoa: i % 2,
      TaiKhoanDuocXacThucVoiVNeID: 'Có', DuocThanhToanTrucTuyen: i % 3 === 0, SoGiayToChuHoSo: `0010850${String(i).padStart(5, '0')}`, ChuHoSo: 'Nguyễn Văn An',
      SoDienThoai: '0912345678', TaiLieuNop: [{ MaThanhPhanHoSo: 'TP1', DuocSoHoa: 1, DuocTaiSuDung: i % 2 }],
    },
    tienTrinhDongBo: [{ MaHoSo: `HS-${i}`, NguoiXuLy: 'Trần Thị Bình', ThoiDiemXuLy: '20250115090000' }],
  };
}

const HEAD = ['STT', 'Mã hồ sơ', 'Mã TTHC', 'Đơn vị tiếp nhận', 'Kênh nộp', 'Ngày nộp', 'Ngày tiếp nhận', 'Hạn xử lý', 'Trạng thái', 'Số hóa', 'Chủ hồ sơ', 'Số giấy tờ'];
function row(i: number): (string | number)[] {
  const d = String(1 + (i % 28)).padStart(2, '0');
  return [i + 1, `HS-${i}`, `1.00${i % 300}`, UNITS[i % UNITS.length] ?? 'X0101', ['Trực tiếp', 'Trực tuyến', 'Bưu chính công ích'][i % 3] ?? '', `${d}/01/2025 08:00`, `${d}/01/2025 08:30`, `${d}/02/2025`, 'Đang xử lý', i % 2 ? 'Có' : 'Không', 'Nguyễn Văn An', `0010850${i}`];
}

async function write(path: string, n: number, line: (i: number) => string, head = '', tail = ''): Promise<void> {
  const out = createWriteStream(path);
  out.write(head);
  for (let i = 0; i < n; i++) if (!out.write(line(i))) await once(out, 'drain');
  out.end(tail);
  await once(out, 'finish');
}

async function writeXlsx(path: string, n: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('Danh sách');
  ws.addRow(['UBND TỈNH SÔNG HỒNG']).commit();
  ws.addRow(['Từ ngày 01/01/2025 đến ngày 31/12/2025']).commit();
  ws.addRow(HEAD).commit();
  for (let i = 0; i < n; i++) ws.addRow(row(i)).commit();
  ws.commit();
  await wb.commit();
}

/** Reads and maps a whole file; returns records/s and the peak growth of the resident set (streaming keeps it flat). */
async function parseRate(path: string): Promise<{ rate: number; ok: number; rssGrowthMb: number }> {
  const hash = pseudonymiser('bench-secret-0123456789');
  const rss0 = process.memoryUsage().rss;
  let rssMax = rss0;
  const t = performance.now();
  let ok = 0;
  let n = 0;
  for await (const raw of readFile(path, formatOf(path) ?? 'ndjson', 'dossiers')) {
    n++;
    if (n % 10_000 === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
    if ('parseError' in raw.fields) continue;
    const r = MAPPERS.dossiers.map({ fields: raw.fields as Record<string, unknown>, origin: raw.origin, runId: 'bench', exportedAt: '2025-12-31T00:00:00+07:00', pseudonymise: hash });
    if (r.kind === 'ok') ok++;
  }
  return { rate: n / ((performance.now() - t) / 1000), ok, rssGrowthMb: (rssMax - rss0) / 2 ** 20 };
}

const bench: Bench = {
  name: 'connectors',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'chiso-bench-conn-'));
    const cores = `${cpus().length} cores`;
    const figures: BenchFigure[] = [];
    try {
      const ndjson = join(dir, 'ho-so.ndjson');
      const json = join(dir, 'ho-so.json');
      const csv = join(dir, 'ho-so.csv');
      const xlsx = join(dir, 'ho-so.xlsx');
      await write(ndjson, Math.max(PARSE_RECORDS, PRODUCE_RECORDS), (i) => `${JSON.stringify(dossier(i))}\n`);
      await write(json, PARSE_RECORDS, (i) => `${i ? ',\n' : ''}${JSON.stringify(dossier(i))}`, '{"data": [\n', ']}');
      await write(csv, PARSE_RECORDS, (i) => `${row(i).join(';')}\r\n`, `\uFEFFUBND TỈNH SÔNG HỒNG\r\nDanh sách hồ sơ\r\n${HEAD.join(';')}\r\n`);
      await writeXlsx(xlsx, XLSX_RECORDS);

      // Baseline: splitting lines and JSON.parse alone, no mapping.
      let t = performance.now();
      let n = 0;
      for await (const { bytes } of lines(fileChunks(ndjson))) {
        JSON.parse(bytes.toString('utf8'));
        n++;
      }
      const baseline = n / ((performance.now() - t) / 1000);
      for (const [label, path] of [['NDJSON', ndjson], ['JSON { data }', json], ['CSV ;', csv], ['XLSX', xlsx]] as const) {
        const r = await parseRate(path);
        figures.push({ figure: `read + map ${label} dossiers`, value: r.rate, unit: 'records/s', baseline: 'line split + JSON.parse', baselineValue: baseline, notes: `${r.ok} ok, resident set +${r.rssGrowthMb.toFixed(0)} MB for a ${(statSync(path).size / 2 ** 20).toFixed(0)} MB file; ${cores}` });
      }

      // Parse + produce against a broker of the bench's own.
      const port = await freePortRun(2);
      const { KAFKA_BROKERS: _b, ...env } = process.env;
      const cfg = loadConfig({ ...env, CHISO_DATA_DIR: join(dir, 'data'), KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), CHISO_LOG_LEVEL: 'error' });
      const log = createLogger('error');
      await startBroker(cfg, () => undefined);
      try {
        const kafka = createKafka(cfg, log, 'bench-connectors');
        const ingestion = await openIngestion(cfg, log, { kafka, pseudonymise: pseudonymiser('bench-secret-0123456789') });
        try {
          t = performance.now();
          const s = await ingestion.run({ runId: 'bench-run', source: 'one-stop-shop', entity: 'dossiers', origin: ndjson, records: readFile(ndjson, 'ndjson', 'dossiers') });
          const secs = (performance.now() - t) / 1000;
          figures.push({
            figure: 'read + map + produce NDJSON dossiers (acks=all, GZIP)',
            value: s.read / secs,
            unit: 'records/s',
            target: '>= 25000',
            notes: `${s.status}, ${s.accepted} produced in ${secs.toFixed(1)} s; ${cores}`,
          });
        } finally {
          await ingestion.close();
        }
      } finally {
        await stopBroker(cfg);
      }

      // The "a 1 GB export must pass": stream a 1 GiB NDJSON export and show the resident set stays flat.
      rmSync(ndjson, { force: true });
      const large = join(dir, 'ho-so-1gb.ndjson');
      const perLine = Buffer.byteLength(`${JSON.stringify(dossier(1_000_000))}\n`);
      await write(large, Math.ceil(LARGE_EXPORT_BYTES / perLine), (i) => `${JSON.stringify(dossier(i))}\n`);
      const r = await parseRate(large);
      figures.push({
        figure: `read + map a ${(statSync(large).size / 2 ** 30).toFixed(2)} GiB NDJSON export`,
        value: r.rate,
        unit: 'records/s',
        notes: `${r.ok} ok; resident set grew ${r.rssGrowthMb.toFixed(0)} MB while reading it (streaming); ${cores}`,
      });
      figures.push({ figure: 'resident-set growth reading the 1 GiB export', value: r.rssGrowthMb, unit: 'MB', target: 'flat (< 200 MB)' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};

export default bench;
