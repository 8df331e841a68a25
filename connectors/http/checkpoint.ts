// Where an HTTP export ingestion stands, per API and entity: the `to` of the last finished window
// and, inside the window being read, the last completed page. A JSON file per (base URL, entity),
// replaced atomically so that a crash leaves either the old or the new state, never half of one.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { EntityName } from '../../schemas/events.ts';
import { InfraError, errorMessage } from '../../lib/errors.ts';

export const exportWindow = z.object({
  /** Inclusive lower bound on the update time; absent = from the beginning. */
  from: z.string().optional(),
  /** Exclusive upper bound. */
  to: z.string(),
  pageSize: z.number().int().positive(),
});
export type ExportWindow = z.infer<typeof exportWindow>;

const checkpointState = z.object({
  version: z.literal(1),
  baseUrl: z.string(),
  entity: z.string(),
  /** The `to` of the last window read to its end: the next run starts there. */
  finishedTo: z.string().optional(),
  /** A window started and not finished: resume after lastPage with the same bounds and page size. */
  open: exportWindow.extend({ lastPage: z.number().int().nonnegative() }).optional(),
  updatedAt: z.string(),
});
export type CheckpointState = z.infer<typeof checkpointState>;

export class HttpCheckpoint {
  private constructor(
    readonly file: string,
    private current: CheckpointState,
  ) {}

  /** Opens (or starts) the checkpoint of one API entity under dir. A corrupt file fails loudly rather than re-reading from zero unnoticed. */
  static async open(dir: string, baseUrl: string, entity: EntityName): Promise<HttpCheckpoint> {
    const key = createHash('sha256').update(`${baseUrl.replace(/\/+$/, '')}\n${entity}`).digest('hex').slice(0, 16);
    const file = join(dir, `http-${entity}-${key}.json`);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InfraError(`cannot read the checkpoint ${file}: ${errorMessage(e)}`, 'CHECKPOINT_READ', { file }, { cause: e });
    }
    if (text === undefined) return new HttpCheckpoint(file, { version: 1, baseUrl, entity, updatedAt: new Date().toISOString() });
    let parsed: z.ZodSafeParseResult<CheckpointState>;
    try {
      parsed = checkpointState.safeParse(JSON.parse(text));
    } catch {
      parsed = { success: false } as z.ZodSafeParseResult<CheckpointState>;
    }
    if (!parsed.success) {
      throw new InfraError(`the checkpoint ${file} is not a valid checkpoint; fix or delete it (deleting re-reads the whole export)`, 'CHECKPOINT_CORRUPT', { file }, { retriable: false });
    }
    return new HttpCheckpoint(file, parsed.data);
  }

  get state(): CheckpointState {
    return structuredClone(this.current);
  }

  /** Records that pages 1..page of window have been read and handed on. */
  async pageDone(window: ExportWindow, page: number): Promise<void> {
    await this.save({ ...this.current, open: { ...window, lastPage: page } });
  }

  /**
   * Records that window has been read to its end. The finished `to` only moves forward over
   * contiguous time: a replay of an old window or of one beyond a gap must not make the next run skip data.
   */
  async windowDone(window: ExportWindow): Promise<void> {
    const { open: _open, finishedTo, ...rest } = this.current;
    const t = (s: string) => Date.parse(s);
    const contiguous = finishedTo === undefined ? window.from === undefined : window.from === undefined || t(window.from) <= t(finishedTo);
    const advance = contiguous && (finishedTo === undefined || t(window.to) > t(finishedTo));
    const next = advance ? window.to : finishedTo;
    await this.save({ ...rest, ...(next !== undefined ? { finishedTo: next } : {}) });
  }

  private async save(next: CheckpointState): Promise<void> {
    const state = { ...next, updatedAt: new Date().toISOString() };
    const dir = join(this.file, '..');
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(dir, { recursive: true });
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
    } catch (e) {
      throw new InfraError(`cannot write the checkpoint ${this.file}: ${errorMessage(e)}`, 'CHECKPOINT_WRITE', { file: this.file }, { cause: e });
    }
    this.current = state;
  }
}

/**
 * The windows a run reads, in order: first the unfinished window of a crashed run (from its next
 * page, same bounds and page size), then [from or the last finished `to`, to). An explicit `from`
 * (a replay) reads exactly [from, to), resuming only a crashed run of that very window.
 */
export function planWindows(state: CheckpointState, req: { from?: string; to: string; pageSize: number }): { window: ExportWindow; startPage: number }[] {
  const plan: { window: ExportWindow; startPage: number }[] = [];
  const open = state.open;
  if (req.from !== undefined) {
    const same = open && open.from === req.from && open.to === req.to && open.pageSize === req.pageSize;
    plan.push({ window: { from: req.from, to: req.to, pageSize: req.pageSize }, startPage: same ? open.lastPage + 1 : 1 });
    return plan;
  }
  let from = state.finishedTo;
  if (open) {
    const { lastPage, ...window } = open;
    plan.push({ window, startPage: lastPage + 1 });
    from = open.to;
  }
  if (from === undefined || Date.parse(from) < Date.parse(req.to)) plan.push({ window: { ...(from !== undefined ? { from } : {}), to: req.to, pageSize: req.pageSize }, startPage: 1 });
  return plan;
}
