// Temporal's Java time-skipping test server, obtained from Maven Central into the cache and wrapped
// in an executable script for TestWorkflowEnvironment.createTimeSkipping({ server: { executable:
// { type: 'existing-path' } } }): the SDK never downloads a binary of its own.
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../schemas/config.ts';
import { type Progress, requireTool, runWithProgress } from '../tools.ts';

export const TEST_SERVER_VERSION = '1.31.0';
const POM = join(dirname(fileURLToPath(import.meta.url)), 'test-server-pom.xml');

/** The path of an executable that starts the time-skipping test server (arguments: the port). */
export async function ensureTimeSkippingServer(cfg: Config, progress: Progress): Promise<string> {
  const home = join(cfg.cacheDir, 'temporal-test-server', TEST_SERVER_VERSION);
  const libs = join(home, 'libs');
  const script = join(home, 'temporal-test-server');
  if (existsSync(script)) return script;
  requireTool('java');
  requireTool('mvn');
  mkdirSync(home, { recursive: true });
  copyFileSync(POM, join(home, 'pom.xml'));
  const partial = join(home, 'libs.partial');
  rmSync(partial, { recursive: true, force: true });
  await runWithProgress(
    `Fetching Temporal's time-skipping test server ${TEST_SERVER_VERSION} from Maven Central (once)`,
    'mvn',
    ['-B', '-q', 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime'],
    { cwd: home, progress },
  );
  rmSync(libs, { recursive: true, force: true });
  renameSync(partial, libs);
  writeFileSync(script, `#!/bin/sh\nexec java -Xmx512m -cp '${libs}/*' io.temporal.testserver.TestServer "$@"\n`);
  chmodSync(script, 0o755);
  return script;
}
