// A server deployment's roles refuse to start without the secrets they use, before touching
// anything, with a message that names each variable and its form (docs/secrets.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/chiso.js', import.meta.url));

describe('chiso serve on a server deployment', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chiso-serve-secrets-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const serve = (env: Record<string, string>) =>
    spawnSync(process.execPath, [BIN, 'serve'], {
      // Port 9 (discard): nothing answers there, and the refusal must come before any connection.
      env: { ...process.env, CHISO_DATA_DIR: dataDir, CLICKHOUSE_URL: 'http://127.0.0.1:9', KAFKA_BROKERS: '127.0.0.1:9', TEMPORAL_ADDRESS: '127.0.0.1:9', CHISO_PII_SECRET: '', CHISO_API_TOKENS: '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('refuses the worker and api roles without CHISO_PII_SECRET and CHISO_API_TOKENS, naming them', () => {
    const r = serve({ CHISO_ROLES: 'worker,api' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CHISO_PII_SECRET: expected the HMAC key');
    expect(r.stderr).toContain('CHISO_API_TOKENS: expected the IOC API bearer tokens');
    // Nothing generated into the data directory.
    expect(readdirSync(dataDir)).not.toContain('secrets');
  });

  it('asks the api role only for its tokens', () => {
    const r = serve({ CHISO_ROLES: 'api' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CHISO_API_TOKENS');
    expect(r.stderr).not.toContain('CHISO_PII_SECRET');
  });
});
