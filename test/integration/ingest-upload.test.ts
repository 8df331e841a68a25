// POST /api/v1/internal/ingest as a client sees it: operator tokens only, the file name and entity
// checked before a byte is read, CHISO_UPLOAD_MAX_BYTES enforced both on the declared length and
// while streaming (413), and the upload archived even when the job cannot start (Temporal down: 503).
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { TOKENS } from './fixtures/ioc-seed.ts';
import { type SeededIocApi, startSeededIocApi } from './ioc-app.ts';

const MAX = 1000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs `chunks` as a raw body; declared: send a content-length (else chunked). */
function upload(base: string, query: string, chunks: string[], opts: { token?: string; declared?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? TOKENS.admin}`, 'content-type': 'application/octet-stream' };
    if (opts.declared !== undefined) headers['content-length'] = String(opts.declared);
    const req = request(`${base}/api/v1/internal/ingest?${query}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (e) => (answered ? undefined : reject(e)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('the export upload endpoint', () => {
  let api: SeededIocApi;
  const archived = () => {
    const root = join(api.cfg.dataDir, 'archive', 'sha256');
    return existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name) : [];
  };

  beforeAll(async () => {
    api = await startSeededIocApi(createLogger('warn'), { listen: true, env: { CHISO_UPLOAD_MAX_BYTES: String(MAX), TEMPORAL_ADDRESS: '127.0.0.1:9' } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('refuses a unit-scoped token, an unknown file type and an entity it cannot tell, before reading', async () => {
    const scoped = await upload(api.base, 'source=one-stop-shop&name=dossiers.ndjson', ['{}\n'], { token: TOKENS.city });
    expect(scoped.status).toBe(403);
    const type = await upload(api.base, 'source=one-stop-shop&name=dossiers.pdf', ['{}\n']);
    expect(type).toMatchObject({ status: 400, body: { field: 'name' } });
    const entity = await upload(api.base, 'source=one-stop-shop&name=export.ndjson', ['{}\n']);
    expect(entity).toMatchObject({ status: 400, body: { field: 'entity' } });
    const wrong = await upload(api.base, 'source=one-stop-shop&name=x.ndjson&entity=payments', ['{}\n']);
    expect(wrong).toMatchObject({ status: 400, body: { field: 'entity' } });
    expect(archived()).toEqual([]);
  });

  it('answers 413 past CHISO_UPLOAD_MAX_BYTES, declared or streamed, and keeps nothing', async () => {
    const declared = await upload(api.base, 'source=one-stop-shop&name=dossiers.ndjson', ['x'.repeat(MAX + 1)], { declared: MAX + 1 });
    expect(declared).toMatchObject({ status: 413, body: { error: 'too_large' } });
    const streamed = await upload(api.base, 'source=one-stop-shop&name=dossiers.ndjson', Array.from({ length: 4 }, () => 'y'.repeat(400)));
    expect(streamed).toMatchObject({ status: 413, body: { error: 'too_large' } });
    expect(archived()).toEqual([]);
    expect(readdirSync(join(api.cfg.dataDir, 'archive', 'incoming'))).toEqual([]);
  });

  it('archives an upload even when its job cannot start, and says so the second time', async () => {
    const first = await upload(api.base, 'source=one-stop-shop&name=ho-so-dossiers.ndjson', ['{"hoSo":{}}\n']);
    expect(first.status).toBe(503);
    expect(String(first.body.reason)).toContain('Temporal');
    expect(first.body).toMatchObject({ archive: { stored: 'new', bytes: 12 } });
    expect(archived()).toEqual(['ho-so-dossiers.ndjson']);
    const second = await upload(api.base, 'source=one-stop-shop&name=ho-so-dossiers.ndjson', ['{"hoSo":{}}\n']);
    expect(second.body).toMatchObject({ archive: { stored: 'existing' } });
    expect(archived()).toEqual(['ho-so-dossiers.ndjson']);
  });

  it('checks an import\'s rows before starting anything, and follows only operator jobs', async () => {
    const r = await fetch(`${api.base}/api/v1/internal/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'units', csv: 'code,name,level,parent_code,valid_from,valid_to\nX9,,XA,H01,2025-13-01,\n' }),
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'csv', errors: expect.arrayContaining([expect.objectContaining({ line: 2, field: 'valid_from' })]) });
    const job = await fetch(`${api.base}/api/v1/internal/jobs/chiso-nightly-1`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
    expect(job.status).toBe(404);
  });
});
