// The IOC API's bearer tokens: from config (CHISO_API_TOKENS), or, on the embedded default, one
// generated token kept in ${dataDir}/secrets/api-token (0600) so that the CLI and the operator can read it.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../schemas/config.ts';

export interface ApiToken {
  token: string;
  /** When set, the token sees only this unit's subtree. */
  unit?: string;
}

export function apiTokenFile(cfg: Config): string {
  return join(cfg.dataDir, 'secrets', 'api-token');
}

/** The configured tokens, or the embedded stack's generated one (created on first use). */
export function ensureApiTokens(cfg: Config): ApiToken[] {
  if (cfg.apiTokens && cfg.apiTokens.length > 0) return cfg.apiTokens;
  const file = apiTokenFile(cfg);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return [{ token }];
  }
  mkdirSync(join(cfg.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return [{ token }];
}

/** A token the CLI can use against the running process: an unscoped configured one, else the token file. */
export function cliApiToken(cfg: Config): string | undefined {
  const unscoped = cfg.apiTokens?.find((t) => t.unit === undefined);
  if (unscoped) return unscoped.token;
  const file = apiTokenFile(cfg);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
