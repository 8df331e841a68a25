// How CLI commands reach the chiso API: with CHISO_API_URL (and CHISO_API_TOKEN) set, that API, for
// an operator at a desk who has nothing else; without it, the local chiso process (in embedded mode
// only that process may open chDB): its address from the port file `up` wrote, its token from config
// or the token file.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { stackPaths } from '../../infra/paths.ts';
import type { Config } from '../../schemas/config.ts';
import { InfraError, UsageError } from '../../lib/errors.ts';
import { cliApiToken } from '../../infra/secrets/api-tokens.ts';

export interface ApiClient {
  base: string;
  /** True when the commands go to CHISO_API_URL (the operator's desk) rather than the local process. */
  remote: boolean;
  get(path: string): Promise<Response>;
  post(path: string, body: unknown): Promise<Response>;
  /** GET outside /api/v1 (e.g. /health/ready), with the token. */
  getRoot(path: string): Promise<Response>;
  /** Streams a file as the body of POST /api/v1<path>; onProgress gets the bytes sent so far. */
  upload(path: string, file: string, size: number, onProgress?: (sent: number) => void): Promise<Response>;
}

/** Whether the operator's commands go to a remote API (CHISO_API_URL) instead of Kafka/Temporal/the local process. */
export const isRemote = (cfg: Config): boolean => cfg.remote !== undefined;

function localBase(cfg: Config): string {
  const portFile = stackPaths(cfg).app.portFile;
  const port = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) || cfg.api.port : cfg.api.port;
  const host = cfg.bindHost === '0.0.0.0' || cfg.bindHost === '::' ? '127.0.0.1' : cfg.bindHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function apiClient(cfg: Config): ApiClient {
  const remote = cfg.remote;
  const base = remote ? remote.url : localBase(cfg);
  const token = remote ? remote.token : cliApiToken(cfg);
  const needToken = (): string => {
    if (token) return token;
    if (remote) throw new UsageError(`no API token: set CHISO_API_TOKEN to an operator token of ${base}`);
    throw new UsageError(`no API token: set CHISO_API_TOKENS or start the stack once (npx chiso up) so that it writes ${cfg.dataDir}/secrets/api-token`);
  };
  const unreachable = (e: unknown) =>
    new InfraError(
      remote ? `the chiso API does not answer at ${base} (CHISO_API_URL): ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}` : `the chiso process does not answer at ${base}: start it with 'npx chiso up --detach' (same CHISO_DATA_DIR)`,
      'API_UNREACHABLE',
      { base },
      { cause: e },
    );
  const call = async (url: string, init: RequestInit): Promise<Response> => {
    const t = needToken();
    try {
      return await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${t}` } });
    } catch (e) {
      throw unreachable(e);
    }
  };
  return {
    base,
    remote: remote !== undefined,
    get: (path) => call(`${base}/api/v1${path}`, { method: 'GET' }),
    post: (path, body) => call(`${base}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    getRoot: (path) => call(`${base}${path}`, { method: 'GET' }),
    upload: (path, file, size, onProgress) => {
      const t = needToken();
      const url = new URL(`${base}/api/v1${path}`);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise<Response>((resolve, reject) => {
        const req = send(url, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/octet-stream', 'content-length': String(size) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(unreachable(e)));
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers }));
          });
        });
        let answered = false;
        req.on('response', () => (answered = true));
        req.on('error', (e) => {
          // The server may refuse (413) and close before the whole file is sent: its answer wins.
          if (!answered) reject(unreachable(e));
        });
        let sent = 0;
        const body = createReadStream(file);
        body.on('data', (c) => {
          sent += c.length;
          onProgress?.(sent);
        });
        body.on('error', (e) => req.destroy(e));
        body.pipe(req);
      });
    },
  };
}

/** The body of a successful answer; an API refusal becomes a UsageError with its field and reason. */
export async function expectOk(r: Response): Promise<Response> {
  if (r.ok) return r;
  const text = await r.text();
  let detail = text;
  try {
    const j = JSON.parse(text) as { field?: string; reason?: string };
    detail = j.field ? `${j.field}: ${j.reason ?? ''}` : (j.reason ?? text);
  } catch {
    // not JSON: keep the text
  }
  if (r.status >= 500) throw new InfraError(`the chiso API failed (${r.status}): ${detail}`, 'API_FAILED', { status: r.status });
  throw new UsageError(`refused (${r.status}): ${detail}`, { status: r.status });
}
