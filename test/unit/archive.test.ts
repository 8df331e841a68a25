// The server's archive of uploaded exports: content-addressed (the same bytes stored once, a second
// name a hard link), the size limit while streaming, and retention with a log line per removed file.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveRoot, archiveUpload, pruneArchive, safeFileName, UploadTooLarge } from '../../services/ioc-api/archive.ts';
import { createLogger } from '../../lib/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'chiso-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const body = (text: string) => Readable.from([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))]);

describe('archive of uploaded exports', () => {
  it('stores the same bytes once, under each name they came with', async () => {
    const a = await archiveUpload(dir, 'ho-so.ndjson', body('{"a":1}\n{"a":2}\n'), 1000);
    expect(a).toMatchObject({ stored: 'new', bytes: 16 });
    expect(a.path).toBe(join(archiveRoot(dir), 'sha256', a.sha256.slice(0, 2), a.sha256, 'ho-so.ndjson'));
    expect(readFileSync(a.path, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    const again = await archiveUpload(dir, 'ho-so.ndjson', body('{"a":1}\n{"a":2}\n'), 1000);
    expect(again).toMatchObject({ stored: 'existing', path: a.path, sha256: a.sha256 });
    const renamed = await archiveUpload(dir, 'dossiers-2.ndjson', body('{"a":1}\n{"a":2}\n'), 1000);
    expect(renamed.stored).toBe('existing');
    // One content, two names, one inode.
    expect(statSync(renamed.path).ino).toBe(statSync(a.path).ino);
    expect(readdirSync(join(archiveRoot(dir), 'incoming'))).toEqual([]);
  });

  it('refuses an upload past the limit and keeps nothing of it', async () => {
    await expect(archiveUpload(dir, 'big.csv', body('x'.repeat(50)), 20)).rejects.toBeInstanceOf(UploadTooLarge);
    expect(readdirSync(join(archiveRoot(dir), 'incoming'))).toEqual([]);
  });

  it('makes any name safe on disk, keeping Vietnamese letters', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('Hồ sơ tháng 1.xlsx')).toBe('Hồ_sơ_tháng_1.xlsx');
    expect(safeFileName('.hidden.csv')).toBe('_hidden.csv');
  });

  it('removes contents older than the retention, one log line per file', async () => {
    const old = await archiveUpload(dir, 'old.csv', body('a,b\n1,2\n'), 1000);
    const fresh = await archiveUpload(dir, 'fresh.csv', body('a,b\n3,4\n'), 1000);
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    utimesSync(dirname(old.path), longAgo, longAgo);
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = createLogger('info', { name: 'test', destination });
    expect(await pruneArchive(dir, 30, log)).toBe(1);
    expect(() => statSync(old.path)).toThrow();
    expect(statSync(fresh.path).isFile()).toBe(true);
    expect(lines.join('')).toContain('old.csv');
  });
});
