// How CLI commands reach the running chiso process's API (in embedded mode only that process may
// open chDB): its address from the port file `up` wrote, its token from config or the token file.
import { existsSync, readFileSync } from 'node:fs';
import { stackPaths } from '../../infra/paths.ts';
import type { Config } from '../../schemas/config.ts';
import { InfraError, UsageError } from '../lib/errors.ts';
import { cliApiToken } from './tokens.ts';

export interface ApiClient {
  base: string;
  get(path: string): Promise<Response>;
  post(path: string, body: unknown): Promise<Response>;
}

export function apiClient(cfg: Config): ApiClient {
  const portFile = stackPaths(cfg).app.portFile;
  const port = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) || cfg.api.port : cfg.api.port;
  const host = cfg.bindHost === '0.0.0.0' || cfg.bindHost === '::' ? '127.0.0.1' : cfg.bindHost;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const token = cliApiToken(cfg);
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    if (!token) throw new UsageError(`no API token: set CHISO_API_TOKENS or start the stack once (npx chiso up) so that it writes ${cfg.dataDir}/secrets/api-token`);
    try {
      return await fetch(`${base}/api/v1${path}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } });
    } catch (e) {
      throw new InfraError(`the chiso process does not answer at ${base}: start it with 'npx chiso up --detach' (same CHISO_DATA_DIR)`, 'API_UNREACHABLE', { base }, { cause: e });
    }
  };
  return {
    base,
    get: (path) => call(path, { method: 'GET' }),
    post: (path, body) => call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
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
