// The messy corpus (test/corpus/README.md) through the real broker: every bad record ends in the
// rejects topic with a reason naming the field and its location, every good record is produced,
// unreadable files fail their run with a clear error, the ledger reconciles, and no personal data
// appears in any message, rejects included.
import { copyFileSync, mkdtempSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { ingestPath } from '../../connectors/files.ts';
import type { RunSummary } from '../../connectors/run.ts';
import { canonicalEvent, type CanonicalEvent, rejectMessage, type RejectMessage, runMessage, type RunMessage, type SourceId } from '../../schemas/events.ts';
import { type ConnectorEnv, connectorEnv, personalDataIn, readTopic, xlsxFromRows } from './connectors-helpers.ts';

const CORPUS = join(import.meta.dirname, '..', 'corpus');

interface Expect {
  source: SourceId;
  status: 'succeeded' | 'failed';
  accepted: string[];
  /** line -> [field, words the reason must contain] */
  rejects: Record<number, [string, string]>;
  error?: RegExp;
}

const EXPECT: Record<string, Expect> = {
  'ho-so-loi.ndjson': {
    source: 'one-stop-shop',
    status: 'succeeded',
    accepted: ['HS-101', 'HS-107', 'HS-111'],
    rejects: {
      2: ['NgayTiepNhan', 'unparseable date "31/02/2025"'],
      3: ['MaHoSo', 'MaHoSo: missing'],
      4: ['KenhThucHien', 'KenhThucHien: unknown code "9"'],
      5: ['NgayTiepNhan', 'after NgayKetThucXuLy'],
      6: ['DonViXuLy', 'DonViXuLy: missing'],
      8: ['TrangThaiHoSo', 'TrangThaiHoSo: unknown code "Đã hủy"'],
      9: ['', 'invalid JSON'],
      12: ['DuocThanhToanTrucTuyen', 'not a payment channel "maybe"'],
      13: ['NgayTiepNhan', 'NgayTiepNhan: missing'],
    },
  },
  'ho-so-cat-cut.json': { source: 'one-stop-shop', status: 'succeeded', accepted: ['HS-201', 'HS-202'], rejects: { 3: ['', 'truncated'] } },
  'van-ban-tieu-de-cham-phay.csv': {
    source: 'document-management',
    status: 'succeeded',
    accepted: ['VB-101', 'VB-105'],
    rejects: {
      7: ['KySo', 'unknown code "ky-tay"'],
      8: ['NgayBanHanh', 'NgayBanHanh: missing'],
      9: ['LoaiSo', 'unknown code "Nội bộ"'],
      12: ['NgayBanHanh', 'unparseable date "2025-13-01"'],
    },
  },
  'thanh-toan-so-tien.csv': {
    source: 'public-service-portal',
    status: 'succeeded',
    accepted: ['GD-101', 'GD-102', 'GD-108'],
    rejects: { 4: ['SoTien', '"12,8"'], 5: ['SoTien', '"abc"'], 6: ['HinhThuc', 'unknown code "vi-dien-tu"'], 7: ['MaGiaoDich', 'missing'], 8: ['ThoiGian', 'unparseable date'] },
  },
  'danh-gia-sai-ma-hoa.ndjson': { source: 'public-service-portal', status: 'succeeded', accepted: ['DG-101', 'DG-103'], rejects: { 2: ['', 'not valid UTF-8'], 4: ['MucDo', 'unknown code "Bình thường"'] } },
  'dich-vu-windows-1258.csv': { source: 'public-service-portal', status: 'failed', accepted: [], rejects: {}, error: /UTF-8/ },
  'danh-gia-rong.ndjson': { source: 'public-service-portal', status: 'succeeded', accepted: [], rejects: {} },
  'dich-vu-muc-do-cu.json': {
    source: 'public-service-portal',
    status: 'succeeded',
    accepted: ['X01/1.001234/2025-01-01', 'X01/1.000002/2025-01-01', 'X01/1.000003/2025-01-01', 'X01/1.000004/2025-01-01'],
    rejects: { 5: ['MucDo', 'unknown code "5"'], 6: ['HieuLucDen', 'before HieuLucTu'], 7: ['HieuLucTu', 'missing'], 8: ['CoPhiLePhi', 'not a flag'] },
  },
  'van-ban-khong-phai-json.json': { source: 'document-management', status: 'failed', accepted: [], rejects: {}, error: /not a JSON export/ },
  'ho-so-cong-viec-serial.xlsx': {
    source: 'document-management',
    status: 'succeeded',
    accepted: ['HSCV-101', 'HSCV-102'],
    rejects: { 8: ['NgayMo', 'unparseable date "32/01/2025"'], 9: ['NgayDong', 'before NgayMo'] },
  },
  'ho-so-hong.xlsx': { source: 'one-stop-shop', status: 'failed', accepted: [], rejects: {}, error: /not a readable \.xlsx/ },
};

describe('connectors: the messy corpus', () => {
  let env: ConnectorEnv;
  const runs = new Map<string, RunSummary>();
  const skipped: { file: string; reason: string; failure: boolean }[] = [];
  let events: CanonicalEvent[] = [];
  let rejects: RejectMessage[] = [];
  let ledger: RunMessage[] = [];
  let everything: string[] = [];

  beforeAll(async () => {
    env = await connectorEnv();
    const work = mkdtempSync(join(tmpdir(), 'chiso-corpus-'));
    const checkpoints = new FileCheckpoints(join(env.cfg.dataDir, 'checkpoints'));
    // Binary cases made here: work records with Excel serial dates below a title block, and a cut-off workbook.
    const serial = await xlsxFromRows(
      [
        ['UBND TỈNH SÔNG HỒNG'],
        ['DANH SÁCH HỒ SƠ CÔNG VIỆC'],
        ['Từ ngày 01/01/2025 đến ngày 31/03/2025'],
        [],
        ['STT', 'Mã hồ sơ công việc', 'Tiêu đề', 'Đơn vị', 'Cấp', 'Ngày mở', 'Ngày đóng', 'Xử lý trên môi trường mạng'],
        ['1', 'HSCV-101', 'Hồ sơ của ông Vũ Văn Hùng', 'X01', 'Xã', '02/01/2025', '15/01/2025', 'Có'],
        ['2', 'HSCV-102', 'Hồ sơ dự án', 'H01', 'Huyện', '03/01/2025 08:00', '', 'Không'],
        ['3', 'HSCV-103', 'Hồ sơ lỗi ngày', 'H01', 'Huyện', '32/01/2025 ', '', 'Không'],
        ['4', 'HSCV-104', 'Hồ sơ đóng trước khi mở', 'H01', 'Huyện', '10/02/2025', '01/02/2025', 'Không'],
      ],
      'ho-so-cong-viec-serial.xlsx',
      { serial: true },
    );
    const broken = join(work, 'ho-so-hong.xlsx');
    copyFileSync(serial, broken);
    truncateSync(broken, Math.floor(statSync(broken).size / 2));
    const files = [...Object.keys(EXPECT).filter((f) => !f.endsWith('.xlsx')).map((f) => join(CORPUS, f)), serial, broken];
    for (const file of files) {
      const exp = EXPECT[basename(file)];
      if (!exp) throw new Error(`no expectation for ${file}`);
      for (const r of await ingestPath(env.deps, { source: exp.source, path: file, checkpoints })) runs.set(basename(file), r);
    }
    // A file whose name names no entity is not ingested, and the message lists the accepted names.
    const anonymous = join(work, 'bao-cao-thang-4.csv');
    copyFileSync(join(CORPUS, 'thanh-toan-so-tien.csv'), anonymous);
    await ingestPath(env.deps, { source: 'public-service-portal', path: anonymous, checkpoints, onSkip: (file, reason, failure) => skipped.push({ file, reason, failure }) });

    const read = async (topic: string) => (await readTopic(env.kafka, topic)).map((m) => m.value);
    const [a, b, c, d] = await Promise.all([
      read(env.topics.source('one-stop-shop')),
      read(env.topics.source('document-management')),
      read(env.topics.source('public-service-portal')),
      read(env.topics.rejects),
    ]);
    const runsTopic = await read(env.topics.runs);
    events = [...(a ?? []), ...(b ?? []), ...(c ?? [])].map((v) => canonicalEvent.parse(JSON.parse(v)));
    rejects = (d ?? []).map((v) => rejectMessage.parse(JSON.parse(v)));
    ledger = runsTopic.map((v) => runMessage.parse(JSON.parse(v)));
    everything = [...(a ?? []), ...(b ?? []), ...(c ?? []), ...(d ?? []), ...runsTopic];
  });

  afterAll(async () => {
    await env?.close();
  });

  it('ends each file in the expected run status, with read = accepted + rejected', () => {
    for (const [file, exp] of Object.entries(EXPECT)) {
      const r = runs.get(file);
      expect(r, file).toBeDefined();
      expect({ file, status: r?.status }).toEqual({ file, status: exp.status });
      expect(r?.read, file).toBe((r?.accepted ?? 0) + (r?.rejected ?? 0));
      if (exp.error) expect(r?.error, file).toMatch(exp.error);
      else expect(r?.error, file).toBe('');
      if (exp.status === 'succeeded') {
        expect(r?.accepted, file).toBe(exp.accepted.length);
        expect(r?.rejected, file).toBe(Object.keys(exp.rejects).length);
      }
    }
    expect(runs.get('danh-gia-rong.ndjson')?.read).toBe(0);
  });

  it('produces every good record, and nothing else', () => {
    for (const [file, exp] of Object.entries(EXPECT)) {
      const run = runs.get(file);
      const mine = events.filter((e) => e.run_id === run?.runId);
      expect(mine.map((e) => e.record_id).sort(), file).toEqual([...exp.accepted].sort());
    }
    const pay = events.filter((e) => e.entity === 'payments');
    expect(Object.fromEntries(pay.map((e) => [e.record_id, e.entity === 'payments' ? [e.data.amount, e.data.method] : null]))).toEqual({
      'GD-101': [1_250_000, 'online'],
      'GD-102': [1_250_000, 'online'],
      'GD-108': [20_000, 'in_person'],
    });
    const serial = events.find((e) => e.record_id === 'HSCV-101');
    expect(serial?.entity === 'work-records' && serial.data).toMatchObject({ opened_at: '2025-01-02', closed_at: '2025-01-15', level: 'XA' });
    const hs111 = events.find((e) => e.record_id === 'HS-111');
    expect(hs111?.entity === 'dossiers' && hs111.data).toMatchObject({ received_at: '2025-04-01T15:30:00+07:00', finished_at: '2025-04-02T12:00:00+07:00' });
    const levels = events.filter((e) => e.entity === 'services').map((e) => (e.entity === 'services' ? e.data.online_level : ''));
    expect(levels.sort()).toEqual(['full', 'none', 'none', 'partial']);
  });

  it('puts every bad record in the rejects topic with its location, a reason naming the field, and its original', () => {
    for (const [file, exp] of Object.entries(EXPECT)) {
      const run = runs.get(file);
      const mine = rejects.filter((r) => r.run_id === run?.runId);
      expect(mine.map((r) => r.origin.line).sort((x, y) => (x ?? 0) - (y ?? 0)), file).toEqual(Object.keys(exp.rejects).map(Number));
      for (const r of mine) {
        const [field, words] = exp.rejects[r.origin.line ?? -1] ?? ['?', '?'];
        expect({ file, line: r.origin.line, field: r.field }).toEqual({ file, line: r.origin.line, field });
        expect(r.reason, `${file}:${r.origin.line}`).toContain(words);
        if (field) expect(r.reason.startsWith(field), r.reason).toBe(true);
        expect(r.origin.uri.endsWith(file)).toBe(true);
        expect(r.original.length, `${file}:${r.origin.line}`).toBeGreaterThan(0);
        expect(r.source).toBe(exp.source);
      }
    }
    const undecodable = rejects.find((r) => r.original_encoding === 'base64');
    expect(undecodable?.origin.line).toBe(2);
    // The bytes are kept (Windows-1258 text is still recognisable), but the phone number is redacted.
    const bytes = Buffer.from(undecodable?.original ?? '', 'base64').toString('latin1');
    expect(bytes).toContain('DG-102');
    expect(bytes).toContain('[redacted]');
    const truncated = rejects.find((r) => r.reason.includes('invalid JSON'));
    expect(truncated?.original).toContain('HS-109');
    expect(truncated?.original).toContain('[redacted]');
  });

  it('fails unreadable files with a clear error, and records them in the ledger', () => {
    for (const file of ['dich-vu-windows-1258.csv', 'van-ban-khong-phai-json.json', 'ho-so-hong.xlsx']) {
      const r = runs.get(file);
      const final = ledger.find((l) => l.run_id === r?.runId && l.status !== 'running');
      expect(final?.status, file).toBe('failed');
      expect(final?.error, file).toBe(r?.error);
      expect(final?.error).toContain(file);
    }
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.failure).toBe(true);
    expect(skipped[0]?.reason).toMatch(/--entity.*payments.*thanh-toan.*ratings.*danh-gia/);
  });

  it('reconciles the ledger: a running and a final message per run, read = accepted + rejected', () => {
    for (const r of runs.values()) {
      const mine = ledger.filter((l) => l.run_id === r.runId);
      expect(mine).toHaveLength(2);
      const final = mine.find((l) => l.status !== 'running');
      expect(final).toMatchObject({ status: r.status, read: r.read, accepted: r.accepted, rejected: r.rejected });
      expect(final?.read).toBe((final?.accepted ?? 0) + (final?.rejected ?? 0));
    }
  });

  it('lets no personal data of the corpus through, in events, rejects or the ledger', () => {
    expect(readFileSync(join(CORPUS, 'ho-so-loi.ndjson'), 'utf8')).toContain('Vũ Văn Hùng');
    expect(everything.length).toBeGreaterThan(30);
    expect(personalDataIn(everything)).toEqual([]);
  });
});
