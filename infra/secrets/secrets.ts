// chiso's two secrets: the PII key (CHISO_PII_SECRET, the HMAC key that pseudonymises personal data)
// and the IOC API bearer tokens (CHISO_API_TOKENS). A server deployment (schemas/deployment.ts) must
// be given both, for the roles that use them, and refuses to start without; the embedded default
// generates each once into ${dataDir}/secrets (mode 0600) and says where. docs/secrets.md: rotation.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../lib/errors.ts';
import type { Config } from '../../schemas/config.ts';

export type SecretName = 'pii' | 'api';

interface SecretSpec {
  variable: string;
  file: string;
  /** What the variable must hold, said when it is missing. */
  expected: string;
  generate: () => string;
}

const SPECS: Record<SecretName, SecretSpec> = {
  pii: {
    variable: 'CHISO_PII_SECRET',
    file: 'pii-secret',
    expected: 'the HMAC key that pseudonymises personal data: at least 16 characters, e.g. the output of `openssl rand -hex 32`',
    generate: () => randomBytes(32).toString('hex'),
  },
  api: {
    variable: 'CHISO_API_TOKENS',
    file: 'api-token',
    expected: 'the IOC API bearer tokens: a comma-separated list of token (whole province) or token@UNIT_CODE (that unit\'s subtree), each token at least 16 of A-Z a-z 0-9 . _ ~ -',
    generate: () => randomBytes(24).toString('base64url'),
  },
};

/**
 * Which secrets each role uses: the worker pseudonymises what it ingests, the sink fingerprints the
 * poison messages it cannot redact (services/sink/decode.ts), the API checks tokens.
 */
export function secretsOfRoles(roles: readonly Config['roles'][number][]): SecretName[] {
  const needed: SecretName[] = [];
  if (roles.includes('worker') || roles.includes('sink')) needed.push('pii');
  if (roles.includes('api')) needed.push('api');
  return needed;
}

export function secretFile(cfg: Config, name: SecretName): string {
  return join(cfg.dataDir, 'secrets', SPECS[name].file);
}

function configured(cfg: Config, name: SecretName): boolean {
  return name === 'pii' ? cfg.piiSecret !== undefined : (cfg.apiTokens?.length ?? 0) > 0;
}

/** The refusal of a server deployment that lacks secrets: names each variable and what it holds. */
export function missingSecretsError(names: readonly SecretName[]): ConfigError {
  const lines = names.map((n) => `✖ ${SPECS[n].variable}: expected ${SPECS[n].expected}`);
  return new ConfigError(
    `Invalid configuration:\n${lines.join('\n')}\n(required when chiso runs as a server deployment: CLICKHOUSE_URL or CHISO_MODE=server is set; see docs/secrets.md)`,
  );
}

/** Throws, on a server deployment, when a secret that these roles need is not configured. */
export function requireSecrets(cfg: Config, names: readonly SecretName[]): void {
  if (cfg.deployment !== 'server') return;
  const missing = names.filter((n) => !configured(cfg, n));
  if (missing.length > 0) throw missingSecretsError(missing);
}

/** The secret's file under dataDir/secrets, read, or created once (0600; two processes starting together agree). */
export function fileSecret(cfg: Config, name: SecretName): { value: string; file: string; created: boolean } {
  const file = secretFile(cfg, name);
  if (cfg.deployment === 'server') throw missingSecretsError([name]);
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length >= 16) return { value, file, created: false };
  }
  mkdirSync(join(cfg.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const value = SPECS[name].generate();
  try {
    // 'wx': two processes starting together must end up with one secret, not two.
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: existsSync(file) ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { value: readFileSync(file, 'utf8').trim(), file, created: false };
  }
  chmodSync(file, 0o600);
  return { value, file, created: true };
}

export interface GeneratedSecret {
  variable: string;
  file: string;
}

/**
 * At the start of the embedded default: makes sure the secrets these roles use exist, and returns
 * those generated now (so that the first start says where they are). A server deployment gets
 * nothing generated: it throws when one is missing.
 */
export function ensureSecrets(cfg: Config, names: readonly SecretName[]): GeneratedSecret[] {
  requireSecrets(cfg, names);
  if (cfg.deployment === 'server') return [];
  const created: GeneratedSecret[] = [];
  for (const n of names) {
    if (configured(cfg, n)) continue;
    const s = fileSecret(cfg, n);
    if (s.created) created.push({ variable: SPECS[n].variable, file: s.file });
  }
  return created;
}

/** The line each generated secret earns at the first start. */
export function describeGenerated(s: GeneratedSecret): string {
  return `${s.variable} was not set: generated one into ${s.file} (mode 0600); keep it with your backups (docs/secrets.md)`;
}
