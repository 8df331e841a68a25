// Secrets: a server deployment refuses to start without the ones its roles use, naming them; the
// embedded default generates each once (0600) and says so once; PII hashes carry their key's id.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPiiSecret, piiKeyId, pseudonymiser } from '../../connectors/pii.ts';
import { ConfigError } from '../../lib/errors.ts';
import { loadConfig } from '../../schemas/config.ts';
import { ensureApiTokens, knownApiTokens } from '../../infra/secrets/api-tokens.ts';
import { ensureSecrets, secretFile, secretsOfRoles } from '../../infra/secrets/secrets.ts';

const dataDir = () => mkdtempSync(join(tmpdir(), 'chiso-secrets-'));

describe('the deployment rule', () => {
  it('is server with CLICKHOUSE_URL or CHISO_MODE=server, else embedded', () => {
    expect(loadConfig({}).deployment).toBe('embedded');
    expect(loadConfig({ KAFKA_BROKERS: 'k:9092', TEMPORAL_ADDRESS: 't:7233' }).deployment).toBe('embedded');
    expect(loadConfig({ CLICKHOUSE_URL: 'http://ch:8123' }).deployment).toBe('server');
    expect(loadConfig({ CHISO_MODE: 'server' }).deployment).toBe('server');
    expect(() => loadConfig({ CHISO_MODE: 'production' })).toThrow(/CHISO_MODE: expected server/);
  });
});

describe('a server deployment', () => {
  const server = (extra: Record<string, string> = {}) => loadConfig({ CHISO_DATA_DIR: dataDir(), CLICKHOUSE_URL: 'http://ch:8123', ...extra });

  it('refuses the roles that use a missing secret, naming each variable and its form', () => {
    const cfg = server();
    let message = '';
    try {
      ensureSecrets(cfg, secretsOfRoles(['sink', 'worker', 'api']));
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain('CHISO_PII_SECRET: expected the HMAC key');
    expect(message).toContain('at least 16 characters');
    expect(message).toContain('CHISO_API_TOKENS: expected the IOC API bearer tokens');
    expect(message).toContain('token@UNIT_CODE');
    expect(() => ensureSecrets(cfg, secretsOfRoles(['worker']))).toThrow(/CHISO_PII_SECRET/);
    expect(() => ensureSecrets(cfg, secretsOfRoles(['worker']))).not.toThrow(/CHISO_API_TOKENS/);
    expect(() => loadPiiSecret(cfg)).toThrow(/CHISO_PII_SECRET/);
    expect(() => ensureApiTokens(cfg)).toThrow(/CHISO_API_TOKENS/);
  });

  it('refuses a sink without the PII key (it fingerprints the poison messages it cannot redact), never writing one into the data directory', () => {
    const cfg = server();
    expect(() => ensureSecrets(cfg, secretsOfRoles(['sink']))).toThrow(/CHISO_PII_SECRET/);
    expect(() => ensureSecrets(cfg, secretsOfRoles(['sink']))).not.toThrow(/CHISO_API_TOKENS/);
    expect(() => loadPiiSecret(cfg)).toThrow(/CHISO_PII_SECRET/);
    expect(knownApiTokens(cfg)).toEqual([]);
    expect(() => statSync(secretFile(cfg, 'pii'))).toThrow();
    expect(() => statSync(secretFile(cfg, 'api'))).toThrow();
  });

  it('starts a sink with the PII key alone', () => {
    const cfg = server({ CHISO_PII_SECRET: 'a-server-secret-0123456789' });
    expect(ensureSecrets(cfg, secretsOfRoles(['sink']))).toEqual([]);
    expect(() => statSync(secretFile(cfg, 'api'))).toThrow();
  });

  it('starts with both secrets given', () => {
    const cfg = server({ CHISO_PII_SECRET: 'a-server-secret-0123456789', CHISO_API_TOKENS: 'tok_0123456789abcdef' });
    expect(ensureSecrets(cfg, secretsOfRoles(['sink', 'worker', 'api']))).toEqual([]);
    expect(loadPiiSecret(cfg)).toBe('a-server-secret-0123456789');
    expect(ensureApiTokens(cfg)).toEqual([{ token: 'tok_0123456789abcdef' }]);
  });
});

describe('the embedded default', () => {
  it('generates each secret once, mode 0600, and reports it only the first time', () => {
    const cfg = loadConfig({ CHISO_DATA_DIR: dataDir() });
    const first = ensureSecrets(cfg, secretsOfRoles(['sink', 'worker', 'api']));
    expect(first.map((g) => g.variable)).toEqual(['CHISO_PII_SECRET', 'CHISO_API_TOKENS']);
    for (const g of first) expect(statSync(g.file).mode & 0o777).toBe(0o600);
    expect(ensureSecrets(cfg, secretsOfRoles(['sink', 'worker', 'api']))).toEqual([]);
    expect(loadPiiSecret(cfg)).toBe(readFileSync(secretFile(cfg, 'pii'), 'utf8').trim());
    expect(ensureApiTokens(cfg)[0]?.token).toBe(readFileSync(secretFile(cfg, 'api'), 'utf8').trim());
  });
});

describe('PII hashes', () => {
  it('are <8-hex key id>:<HMAC-SHA256>, one person one hash under one key', () => {
    const hash = pseudonymiser('the-first-key-0123456789');
    expect(hash('001085012345')).toMatch(/^[0-9a-f]{8}:[0-9a-f]{64}$/);
    expect(hash('0010 8501 2345')).toBe(hash('001085012345'));
    expect(hash('001085012345').startsWith(`${piiKeyId('the-first-key-0123456789')}:`)).toBe(true);
  });

  it('tell a new key from the old one after a rotation', () => {
    const before = pseudonymiser('the-first-key-0123456789')('001085012345');
    const after = pseudonymiser('the-second-key-0123456789')('001085012345');
    expect(before.split(':')[0]).not.toBe(after.split(':')[0]);
    expect(before.split(':')[1]).not.toBe(after.split(':')[1]);
  });
});
