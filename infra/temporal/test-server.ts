// Temporal's Java time-skipping test server, obtained from Maven Central into the cache and wrapped
// in an executable script for TestWorkflowEnvironment.createTimeSkipping({ server: { executable:
// { type: 'existing-path' } } }): the SDK never downloads a binary of its own.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../schemas/config.ts';
import { fetchMavenLibs } from '../maven.ts';
import type { Progress } from '../tools.ts';

export const TEST_SERVER_VERSION = '1.31.0';
const POM = join(dirname(fileURLToPath(import.meta.url)), 'test-server-pom.xml');

/** The path of an executable that starts the time-skipping test server (arguments: the port). */
export async function ensureTimeSkippingServer(cfg: Config, progress: Progress): Promise<string> {
  const home = join(cfg.cacheDir, 'temporal-test-server', TEST_SERVER_VERSION);
  const script = join(home, 'temporal-test-server');
  if (existsSync(script)) return script;
  const libs = await fetchMavenLibs(home, POM, `Temporal's time-skipping test server ${TEST_SERVER_VERSION}`, progress);
  writeFileSync(script, `#!/bin/sh\nexec java -Xmx512m -cp '${libs}/*' io.temporal.testserver.TestServer "$@"\n`);
  chmodSync(script, 0o755);
  return script;
}
