// Personal data in rejected lines, through the real connector, broker, sink and store: a line that
// is not JSON with an escaped key and escaped digits, a rejected record with a phone number and an
// e-mail address under fields that are not named as personal, fullwidth and split digits, and a line
// of UTF-16 bytes. In the rejects table none of the values is left, by any reading; the UTF-16 line
// is withheld as the HMAC of its bytes with the PII secret, with its location.
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCheckpoints } from '../../connectors/checkpoints.ts';
import { ingestPath } from '../../connectors/files.ts';
import { canonicalText } from '../../connectors/pii-values.ts';
import type { RunSummary } from '../../connectors/run.ts';
import { waitForSink } from '../../connectors/wait-for-sink.ts';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { createSink, type Sink } from '../../services/sink/index.ts';
import { randomName } from '../support/env.ts';
import { type ConnectorEnv, connectorEnv, PII_SECRET } from './connectors-helpers.ts';

const ID = '079123456789';
const PHONE = '0987654321';
const EMAIL = 'tran.thi.binh@example.vn';
const u = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const UTF16 = Buffer.from(`{"MaHoSo":"HS-906","SoDinhDanh":"${ID}"}`, 'utf16le');

const DOSSIER = { MaTTHC: '1.001234', DonViXuLy: 'X01', KenhThucHien: 2, NgayNopHoSo: '01/04/2025 08:00', NgayTiepNhan: '01/04/2025 08:30', TrangThaiHoSo: 2, NgayCapNhat: '01/04/2025 08:30' };
const GOOD = (id: string) => JSON.stringify({ hoSo: { MaHoSo: id, ...DOSSIER } });
const LINES: Buffer[] = [
  Buffer.from(GOOD('HS-900')),
  // 2: not JSON (cut off), the key and the digits escaped.
  Buffer.from(`{"hoSo": {"MaHoSo": "HS-902", "${u('SoGiayToChuHoSo')}": "${u(ID)}", "DonViXuLy": "X01"`),
  // 3: valid JSON, rejected (no receipt date), the contact under keys nobody named personal.
  Buffer.from(JSON.stringify({ hoSo: { MaHoSo: 'HS-903', ...DOSSIER, NgayTiepNhan: undefined, lienHe: { dt: '0987 654 321', thu: EMAIL } } })),
  // 4: not JSON, the id in fullwidth digits split by dots, as the value of an object.
  Buffer.from(`{"hoSo": {"MaHoSo": "HS-904", "giayTo": {"so": "０７９.１２３.４５６.７８９"}, `),
  // 5: UTF-16 bytes: withheld.
  UTF16,
  Buffer.from(GOOD('HS-907')),
];

/** Every reading of a stored original: as text, as base64-decoded bytes, every escape undone, separators between digits dropped. */
function readings(original: string): string[] {
  const texts = [original, Buffer.from(original, 'base64').toString('latin1'), Buffer.from(original, 'base64').toString('utf8')];
  return texts.flatMap((t) => {
    const c = canonicalText(t).text;
    return [c, c.replace(/[\s.\-()+_"]/g, '')];
  });
}

describe('personal data in rejected lines, in the rejects table', () => {
  let env: ConnectorEnv;
  let store: Store;
  let sink: Sink;
  const groupId = randomName('sink');
  let runs: RunSummary[] = [];
  let file = '';

  beforeAll(async () => {
    env = await connectorEnv();
    const log = createLogger('warn');
    store = await openStore(env.cfg.clickhouse);
    await migrate(store, log);
    sink = createSink({ cfg: env.cfg, store, log, groupId, options: { lingerMs: 200 } });
    await sink.start();
    const dir = mkdtempSync(join(tmpdir(), 'chiso-pii-'));
    file = join(dir, 'ho-so-pii.ndjson');
    writeFileSync(file, Buffer.concat(LINES.flatMap((l) => [l, Buffer.from('\n')])));
    runs = await ingestPath(env.deps, { source: 'one-stop-shop', path: file, checkpoints: new FileCheckpoints(join(env.cfg.dataDir, 'checkpoints')) });
  });

  afterAll(async () => {
    await sink?.stop();
    await store?.close();
    await env?.close();
  });

  it('stores every reject without the id, phone or address, and withholds the UTF-16 line', async () => {
    expect(runs.map((r) => [r.status, r.read, r.accepted, r.rejected])).toEqual([['succeeded', 6, 2, 4]]);
    const produced: Record<string, string> = {};
    for (const r of runs) for (const [k, v] of Object.entries(r.producedOffsets)) if (!produced[k] || BigInt(produced[k]) < BigInt(v)) produced[k] = v;
    await waitForSink({ kafka: env.kafka, groupId, produced, timeoutMs: 120_000 });

    const rows = await select<{ location: string; reason: string; original: string }>(store, `SELECT location, reason, original FROM ${store.db}.rejects ORDER BY location`);
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      for (const reading of [...readings(r.original), ...readings(r.reason)]) {
        expect(reading, r.location).not.toContain(ID);
        expect(reading, r.location).not.toContain(PHONE);
        expect(reading.toLowerCase(), r.location).not.toContain(EMAIL);
      }
    }
    const at = (line: number) => rows.find((r) => r.location.endsWith(`:${line}`) || r.location.includes(`line ${line}`) || r.location.includes(`"line":${line}`));
    expect(at(2)?.original).toContain('HS-902');
    expect(at(2)?.original).toContain('[redacted]');
    expect(at(3)?.original).toContain('HS-903');
    expect(at(4)?.original).toContain('HS-904');
    const withheld = at(5)?.original ?? '';
    expect(withheld).toContain(`hmac-sha256 ${createHmac('sha256', PII_SECRET).update(UTF16).digest('hex')}`);
    expect(withheld).toContain('line 5');
  });
});
