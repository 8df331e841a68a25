// Which bearer token an export API ingestion takes (connectors/ingestion.ts), the same for the CLI
// and the worker: the pulled source's own, else CHISO_SOURCE_API_TOKEN, else a message saying so.
import { describe, expect, it } from 'vitest';
import { apiToken } from '../../connectors/ingestion.ts';
import { UsageError } from '../../lib/errors.ts';
import { loadConfig } from '../../schemas/config.ts';

const SOURCES = JSON.stringify([{ source: 'public-service-portal', entity: 'payments', url: 'https://dvc.example.vn/export', tokenEnv: 'DVC_TOKEN' }]);

describe('apiToken', () => {
  it("takes a pulled source's own token, else CHISO_SOURCE_API_TOKEN", () => {
    const cfg = loadConfig({ CHISO_SOURCES: SOURCES, DVC_TOKEN: 'dvc-token-12345', CHISO_SOURCE_API_TOKEN: 'shared-token-123' });
    expect(apiToken(cfg, 'https://dvc.example.vn/export/')).toBe('dvc-token-12345');
    expect(apiToken(cfg, 'https://other.example.vn/export')).toBe('shared-token-123');
  });

  it('says which variable is missing when there is no token', () => {
    const cfg = loadConfig({});
    expect(() => apiToken(cfg, 'https://other.example.vn/export')).toThrow(UsageError);
    expect(() => apiToken(cfg, 'https://other.example.vn/export')).toThrow(/CHISO_SOURCE_API_TOKEN: expected the bearer token/);
  });
});
