// The configuration schema: defaults that make the embedded stack work, and errors that name the
// variable and the expected form.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { loadConfig } from '../../schemas/config.ts';

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('needs no variable for the embedded stack', () => {
    const cfg = loadConfig({});
    expect(cfg.kafka.external).toBe(false);
    expect(cfg.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(cfg.temporal.external).toBe(false);
    expect(cfg.temporal.address).toBe('127.0.0.1:17233');
    expect(cfg.clickhouse.mode).toBe('chdb');
    expect(cfg.clickhouse.chdbPath.endsWith('/.data/chdb')).toBe(true);
  });

  it('uses existing services when they are named', () => {
    const cfg = loadConfig({ KAFKA_BROKERS: 'k1:9092, k2:9092', TEMPORAL_ADDRESS: 'temporal:7233', CLICKHOUSE_URL: 'http://ch:8123' });
    expect(cfg.kafka).toMatchObject({ external: true, brokers: ['k1:9092', 'k2:9092'] });
    expect(cfg.temporal).toMatchObject({ external: true, address: 'temporal:7233' });
    expect(cfg.clickhouse).toMatchObject({ mode: 'server', url: 'http://ch:8123' });
  });

  it('names a bad KAFKA_BROKERS and the expected form', () => {
    const msg = failure({ KAFKA_BROKERS: 'notahost' });
    expect(msg).toContain('KAFKA_BROKERS');
    expect(msg).toContain('host:port');
  });

  it('reports every bad variable at once', () => {
    const msg = failure({ TEMPORAL_PORT: 'seventy', CLICKHOUSE_URL: 'ftp://x', CHISO_LOG_LEVEL: 'loud', CLICKHOUSE_DATABASE: 'Bad-Name' });
    expect(msg).toContain('TEMPORAL_PORT: expected a TCP port number');
    expect(msg).toContain('CLICKHOUSE_URL: expected an http(s) URL');
    expect(msg).toContain('CHISO_LOG_LEVEL: expected one of');
    expect(msg).toContain('CLICKHOUSE_DATABASE: expected a ClickHouse identifier');
  });

  it('refuses a behind store and drains 25 s unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ autoMigrate: false, drainMs: 25_000 });
    expect(loadConfig({ CHISO_AUTO_MIGRATE: '1', CHISO_DRAIN_SECONDS: '40' })).toMatchObject({ autoMigrate: true, drainMs: 40_000 });
    const msg = failure({ CHISO_AUTO_MIGRATE: 'yes', CHISO_DRAIN_SECONDS: '0' });
    expect(msg).toContain('CHISO_AUTO_MIGRATE: expected 1');
    expect(msg).toContain('CHISO_DRAIN_SECONDS: expected 1-3600 seconds');
  });
});
