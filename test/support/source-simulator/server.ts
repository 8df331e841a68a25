// The HTTP export API simulator: serves a folder of export files with the paging contract of
// SOURCES.md (GET {base}/{entity}?from&to&page&pageSize, bearer token, { data, page, pageSize, total }),
// plus fault injection (POST /_control) for the connector's tests and the demo.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { EntityName } from '../../../schemas/events.ts';
import type { Logger } from '../../../lib/logger.ts';
import { type Fault, FaultControl, type FaultRequest, faultRequest } from './faults.ts';
import { inWindow, loadExports, SIMULATED_ENTITIES, type ServedRecord } from './records.ts';

export const MAX_PAGE_SIZE = 1000;

export interface SimulatorOptions {
  /** Folder of export files (`<entity>.ndjson`, `<entity>-*.json`... searched recursively). */
  dir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  token: string;
  log: Logger;
  /** Faults in force from the start (as POST /_control takes them). */
  faults?: FaultRequest;
}

export interface Simulator {
  /** Base URL: entity endpoints are `${url}/${entity}`. */
  url: string;
  control: FaultControl;
  /** Per entity, how many records the folder holds. */
  counts: Record<string, number>;
  stop(): Promise<void>;
}

const isoTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time with an offset, e.g. 2025-01-01T00:00:00+07:00' });
const pageQuery = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  page: z.coerce.number().int().min(1, { error: 'page: expected a whole number from 1' }).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE, { error: `pageSize: expected 1..${MAX_PAGE_SIZE}` }).default(100),
});

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorised(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!.trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const log = opts.log.child({ component: 'source-simulator' });
  const data = await loadExports(opts.dir, log);
  const control = new FaultControl();
  if (opts.faults) control.set(opts.faults);

  async function serveEntity(req: IncomingMessage, res: ServerResponse, entity: EntityName, url: URL): Promise<void> {
    const q = pageQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!q.success) return send(res, 400, { error: z.prettifyError(q.error) });
    const { from, to, page, pageSize } = q.data;
    const fault: Fault = control.take(page);
    if (fault.delayMs) await sleep(fault.delayMs);
    if (res.destroyed) return;
    const record = (status: number) => control.requests.push({ entity, page, status, fault: fault.status !== undefined || fault.garbage === true });
    if (fault.status !== undefined) {
      record(fault.status);
      return send(res, fault.status, { error: `simulated failure (HTTP ${fault.status})` });
    }
    if (fault.garbage) {
      record(200);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"data": [{"simulated": "garbage", ');
      return;
    }
    const window: ServedRecord[] = inWindow(data.get(entity) ?? [], from ? Date.parse(from) : undefined, to ? Date.parse(to) : undefined);
    const slice = window.slice((page - 1) * pageSize, page * pageSize).map((r) => r.record);
    record(200);
    send(res, 200, { data: slice, page, pageSize, total: window.length });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/_health') return send(res, 200, { ok: true, counts });
    if (!authorised(req, opts.token)) return send(res, 401, { error: 'missing or refused bearer token' });
    if (path === '/_control') {
      if (req.method === 'GET') return send(res, 200, control.describe());
      if (req.method === 'DELETE') {
        control.clear();
        return send(res, 200, control.describe());
      }
      if (req.method !== 'POST') return send(res, 405, { error: 'use GET, POST or DELETE' });
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req)) || '{}');
      } catch {
        return send(res, 400, { error: 'expected a JSON body such as { "failNext": 2, "status": 500 }' });
      }
      const parsed = faultRequest.safeParse(body);
      if (!parsed.success) return send(res, 400, { error: z.prettifyError(parsed.error) });
      const state = control.set(parsed.data);
      log.info({ state }, 'fault injection changed');
      return send(res, 200, state);
    }
    const entity = SIMULATED_ENTITIES.find((e) => `/${e}` === path);
    if (!entity) return send(res, 404, { error: `unknown entity; expected one of ${SIMULATED_ENTITIES.join(', ')}` });
    if (req.method !== 'GET') return send(res, 405, { error: 'use GET' });
    return serveEntity(req, res, entity, url);
  }

  const counts = Object.fromEntries([...data].map(([e, list]) => [e, list.length]));
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error({ err: e }, 'simulator request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal simulator error' });
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, counts }, 'source API simulator listening');
  return {
    url,
    control,
    counts,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
