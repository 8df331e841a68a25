// manifest.json of a chiso backup folder: what was saved and how to check it. Written last, so a
// folder without it is an interrupted backup; read back through this schema before any restore.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { backupTargetSchema } from './backup.ts';
import { UsageError, errorMessage } from '../../lib/errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'chiso-backup/1';

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  chiso: z.string(),
  createdAt: z.iso.datetime(),
  clickhouse: z.strictObject({
    mode: z.enum(['chdb', 'server']),
    version: z.string(),
    database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/),
    /** Where ClickHouse wrote it: File paths are relative to the backup folder, Disk paths to the server's disk. */
    target: backupTargetSchema,
    backupId: z.string(),
  }),
  migrations: z.array(z.strictObject({ version: z.number().int(), name: z.string(), checksum: z.string() })),
  /** Rows per table (FINAL) counted just before and just after BACKUP; equal when nothing wrote meanwhile. */
  tables: z.array(z.strictObject({ name: z.string(), rows: z.number().int().nonnegative(), rowsAfter: z.number().int().nonnegative() })),
  /** Every file of the folder but the manifest, relative to it, with its size and SHA-256. */
  files: z.array(z.strictObject({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  /** Folders of the data directory saved under files/ (archived exports, checkpoints, secrets when asked). */
  dataDirs: z.array(z.string()),
});
export type Manifest = z.infer<typeof manifestSchema>;

export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`, { mode: 0o600 });
}

export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new UsageError(`${dir} is not a complete chiso backup: it has no ${MANIFEST_FILE} (an interrupted backup has none)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${join(dir, MANIFEST_FILE)}: expected JSON (${errorMessage(e)})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`${join(dir, MANIFEST_FILE)}: not a ${MANIFEST_FORMAT} manifest:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
