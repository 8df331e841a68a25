// Which export files have been ingested (path + size + mtime + content hash), so that a folder is
// picked up once and never twice unless forced or replayed. One small JSON file per ingested path
// under ${dataDir}/checkpoints/files/, so concurrent ingestions of different files do not collide.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../schemas/config.ts';

const entry = z.object({ path: z.string(), size: z.number(), mtimeMs: z.number(), sha256: z.string(), runId: z.string(), at: z.string() });
export type FileCheckpoint = z.infer<typeof entry>;

export function checkpointDir(cfg: Config): string {
  return join(cfg.dataDir, 'checkpoints');
}

export async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class FileCheckpoints {
  constructor(readonly dir: string) {}

  private fileFor(path: string): string {
    return join(this.dir, 'files', `${createHash('sha256').update(resolve(path)).digest('hex').slice(0, 32)}.json`);
  }

  async get(path: string): Promise<FileCheckpoint | undefined> {
    try {
      const parsed = entry.safeParse(JSON.parse(await readFile(this.fileFor(path), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** The run that already ingested this exact file (same size and content), if any. */
  async ingestedBy(path: string): Promise<string | undefined> {
    const cp = await this.get(path);
    if (!cp) return undefined;
    const s = await stat(path);
    if (s.size !== cp.size) return undefined;
    // Same size and mtime: the same file. A touched file with another mtime is compared by content.
    if (s.mtimeMs === cp.mtimeMs) return cp.runId;
    return (await fileHash(path)) === cp.sha256 ? cp.runId : undefined;
  }

  async mark(path: string, runId: string): Promise<void> {
    const s = await stat(path);
    const cp: FileCheckpoint = { path: resolve(path), size: s.size, mtimeMs: s.mtimeMs, sha256: await fileHash(path), runId, at: new Date().toISOString() };
    const file = this.fileFor(path);
    await mkdir(join(this.dir, 'files'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(cp));
    await rename(tmp, file);
  }
}
