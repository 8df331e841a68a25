// The IOC API's bearer tokens: from config (CHISO_API_TOKENS), or, on the embedded default, one
// generated token kept in ${dataDir}/secrets/api-token (0600) so that the CLI and the operator can
// read it. A server deployment without CHISO_API_TOKENS gets none generated (infra/secrets/secrets.ts).
import { existsSync, readFileSync } from 'node:fs';
import type { Config } from '../../schemas/config.ts';
import { fileSecret, secretFile } from './secrets.ts';

export interface ApiToken {
  token: string;
  /** When set, the token sees only this unit's subtree. */
  unit?: string;
}

export function apiTokenFile(cfg: Config): string {
  return secretFile(cfg, 'api');
}

/** The configured tokens, or the embedded stack's generated one (created on first use); a server deployment without tokens throws. */
export function ensureApiTokens(cfg: Config): ApiToken[] {
  if (cfg.apiTokens && cfg.apiTokens.length > 0) return cfg.apiTokens;
  return [{ token: fileSecret(cfg, 'api').value }];
}

/**
 * The tokens a process that does not serve the API still accepts (the operator's details of
 * /health/ready): the configured ones; on the embedded default the generated one too. Never throws.
 */
export function knownApiTokens(cfg: Config): ApiToken[] {
  if (cfg.apiTokens && cfg.apiTokens.length > 0) return cfg.apiTokens;
  return cfg.deployment === 'server' ? [] : ensureApiTokens(cfg);
}

/** A token the CLI can use against the running process: an unscoped configured one, else the token file. */
export function cliApiToken(cfg: Config): string | undefined {
  const unscoped = cfg.apiTokens?.find((t) => t.unit === undefined);
  if (unscoped) return unscoped.token;
  const file = apiTokenFile(cfg);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
