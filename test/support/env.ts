// Per-test configuration against the stack that global-setup started, and random names so that no
// two tests share a topic, group, task queue or database.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../schemas/config.ts';

export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A Config on the shared test stack, with its own chDB directory and a random database name. */
export function testConfig(extra: Record<string, string> = {}): Config {
  const chdbHome = mkdtempSync(join(tmpdir(), 'chiso-chdb-'));
  return loadConfig({
    ...inject('stackEnv'),
    CHISO_DATA_DIR: chdbHome,
    CLICKHOUSE_DATABASE: randomName('t'),
    CHISO_LOG_LEVEL: 'warn',
    ...extra,
  });
}
