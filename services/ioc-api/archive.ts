// The server's archive of uploaded exports: every file an operator uploads is kept, content-addressed,
// under ${dataDir}/archive/sha256/<first 2 hex>/<sha256>/<file name>, and its ingestion reads it there,
// so `replay RUN` works after the operator's own copy is gone. The same bytes uploaded again are
// stored once (a second name of the same content is a hard link to the first). Retention removes a
// content's folder once nothing was uploaded to it for N days, with a log line per file.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Logger } from '../../lib/logger.ts';
import { ChisoError } from '../../lib/errors.ts';

export const archiveRoot = (dataDir: string) => join(dataDir, 'archive');
const contentRoot = (dataDir: string) => join(archiveRoot(dataDir), 'sha256');

export interface Archived {
  /** Where the server keeps the file (the ingestion's origin). */
  path: string;
  sha256: string;
  bytes: number;
  /** 'new': first time these bytes arrived; 'existing': the same content was already archived (stored once). */
  stored: 'new' | 'existing';
}

/** An upload past CHISO_UPLOAD_MAX_BYTES (answered 413): the same file cannot pass by retrying. */
export class UploadTooLarge extends ChisoError {
  override readonly name = 'UploadTooLarge';
  constructor(message: string) {
    super(message, 'UPLOAD_TOO_LARGE', false);
  }
}

/** A file name safe on any disk: letters (Vietnamese too), digits, '.', '_' and '-'; the rest become '_'. */
export function safeFileName(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\.+/, '_').slice(-200);
  return cleaned === '' ? 'export' : cleaned;
}

/** Streams `body` into the archive under `name`, hashing as it goes; refuses past maxBytes (UploadTooLarge). */
export async function archiveUpload(dataDir: string, name: string, body: Readable, maxBytes: number): Promise<Archived> {
  const tmpDir = join(archiveRoot(dataDir), 'incoming');
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}${extname(name)}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new UploadTooLarge(`the upload is larger than ${maxBytes} bytes (CHISO_UPLOAD_MAX_BYTES)`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, count, createWriteStream(tmp, { mode: 0o640 }));
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const sha256 = hash.digest('hex');
  const dir = join(contentRoot(dataDir), sha256.slice(0, 2), sha256);
  const path = join(dir, safeFileName(name));
  await mkdir(dir, { recursive: true });
  const present = await readdir(dir);
  if (present.length === 0) {
    await rename(tmp, path);
    return { path, sha256, bytes, stored: 'new' };
  }
  await rm(tmp, { force: true });
  if (!present.includes(safeFileName(name))) await link(join(dir, present[0]!), path);
  // Retention counts from the last upload of the content.
  const now = new Date();
  await utimes(dir, now, now);
  return { path, sha256, bytes, stored: 'existing' };
}

/** Removes the archived contents nothing was uploaded to for `days` days; one log line per file removed. */
export async function pruneArchive(dataDir: string, days: number, log: Logger, now = Date.now()): Promise<number> {
  const root = contentRoot(dataDir);
  const cutoff = now - days * 86_400_000;
  let removed = 0;
  let prefixes: string[];
  try {
    prefixes = await readdir(root);
  } catch {
    return 0;
  }
  for (const prefix of prefixes) {
    for (const sha of await readdir(join(root, prefix)).catch(() => [] as string[])) {
      const dir = join(root, prefix, sha);
      const s = await stat(dir).catch(() => undefined);
      if (!s?.isDirectory() || s.mtimeMs >= cutoff) continue;
      for (const file of await readdir(dir)) {
        log.info({ file: join(dir, file), sha256: sha, uploaded: new Date(s.mtimeMs).toISOString(), retentionDays: days }, 'archived export removed (older than the retention)');
        removed += 1;
      }
      await rm(dir, { recursive: true, force: true });
    }
  }
  return removed;
}
