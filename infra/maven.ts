// Jars from Maven Central into the cache: a pom's runtime dependencies copied once into <home>/libs
// (through libs.partial, renamed when complete, so an interrupted download is retried, never used).
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Progress, requireTool, runWithProgress } from './tools.ts';

/** Returns <home>/libs, fetching the pom's runtime dependencies there first if they are not complete. */
export async function fetchMavenLibs(home: string, pom: string, label: string, progress: Progress): Promise<string> {
  const libs = join(home, 'libs');
  const marker = join(home, '.complete');
  if (existsSync(marker)) return libs;
  requireTool('java');
  requireTool('mvn');
  mkdirSync(home, { recursive: true });
  copyFileSync(pom, join(home, 'pom.xml'));
  const partial = join(home, 'libs.partial');
  rmSync(partial, { recursive: true, force: true });
  await runWithProgress(
    `Fetching ${label} from Maven Central into ${home} (once)`,
    'mvn',
    ['-B', '-q', 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime'],
    { cwd: home, progress },
  );
  rmSync(libs, { recursive: true, force: true });
  renameSync(partial, libs);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return libs;
}
