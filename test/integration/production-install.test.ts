// The production install, as a province's IT team makes it: the package as `npm pack` ships it (the
// `files` of package.json: no tests, no benchmarks), its lockfile beside it, `npm ci --omit=dev` in a
// temporary folder (no devDependency, no EBADENGINE warning), then over that code made read-only and
// run by an unprivileged user (the `nobody` account when the tests run as root): `chiso --help`,
// `chiso migrate` on a fresh data directory, and `chiso serve` with one role and with every role, each
// ready (/health/ready 200) and stopping on SIGTERM with exit code 0 within the drain time.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadMigrations } from '../../infra/clickhouse/migrate.ts';
import { randomName } from '../support/env.ts';
import { freePortRun } from '../support/ports.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CODE_DIRS = ['bin', 'connectors', 'infra', 'schemas', 'services', 'workflows'];
const DRAIN_SECONDS = 10;
const ALL = loadMigrations().map((m) => m.name);
// npm's own range logic (a dependency of fastify and of npm): what EBADENGINE is decided with.
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean; minVersion(range: string): { version: string } | null };

/** The bare package names a file imports (node: built-ins and relative paths left out). */
function importedPackages(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
    const spec = m[1] ?? '';
    if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('/')) continue;
    out.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** The account that runs the installed code: `nobody` when the tests run as root (root ignores a read-only mode). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()), gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim()) };
}

/** Waits for `check` to hold, polling, at most `timeoutMs`; fails with `what`. */
async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('production install (npm pack, npm ci --omit=dev)', () => {
  const work = mkdtempSync(join(tmpdir(), 'chiso-prod-install-'));
  const app = join(work, 'package');
  const user = runAs();
  let install: { code: number | null; out: string; err: string };
  const children: ChildProcess[] = [];

  /** A fresh data directory the running account owns. */
  const dataDir = (name: string) => {
    const d = join(work, 'data', name);
    mkdirSync(d, { recursive: true });
    if (user) chownSync(d, user.uid, user.gid);
    return d;
  };
  /** The environment of an installed command: nothing of this test process, only what an operator sets. */
  const envOf = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(work, 'home'), LANG: 'C.UTF-8', CHISO_LOG_LEVEL: 'warn', ...extra });
  const chiso = (args: string[], env: Record<string, string>) => {
    const r = spawnSync(process.execPath, ['bin/chiso.js', ...args], { cwd: app, env: envOf(env), encoding: 'utf8', timeout: 120_000, ...(user ?? {}) });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(() => {
    // Only what `npm pack` ships, as a registry or a release tarball would hand it over.
    const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: REPO, env: npmEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    const [tarball] = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    execFileSync('tar', ['xzf', join(work, tarball ?? 'missing.tgz'), '-C', work]);
    copyFileSync(join(REPO, 'package-lock.json'), join(app, 'package-lock.json'));
    const r = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, env: npmEnv, encoding: 'utf8', timeout: 540_000 });
    install = { code: r.status, out: r.stdout, err: r.stderr };
    mkdirSync(join(work, 'home'), { recursive: true });
    mkdirSync(join(work, 'data'), { recursive: true });
    if (user) {
      chownSync(join(work, 'home'), user.uid, user.gid);
      chmodSync(work, 0o755);
      chmodSync(join(work, 'data'), 0o755);
    }
    // The code and its dependencies, read-only for the account that runs them (as in the image).
    execFileSync('chmod', ['-R', 'a-w', app]);
  });

  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    execFileSync('chmod', ['-R', 'u+w', app]);
    rmSync(work, { recursive: true, force: true });
  });

  it('installs the production dependencies only, without an engine warning', () => {
    expect(install.code, install.err).toBe(0);
    expect(install.err).not.toMatch(/EBADENGINE/);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(true);
    for (const dev of ['vitest', 'typescript', 'eslint']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    // Not shipped: the tests and the benchmarks.
    for (const absent of ['test', 'bench']) expect(existsSync(join(app, absent)), absent).toBe(false);
  });

  it('admits only Node versions that every production package admits (no EBADENGINE on any of them)', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } };
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; engines?: { node?: string } }> };
    // The lowest version `engines` admits in each major (20.19.0, 22.13.0, 24.0.0, 25.0.0 ...).
    const majors = Array.from({ length: 30 }, (_, i) => 14 + i);
    const lowest = pkg.engines.node.split('||').flatMap((branch) => majors.flatMap((m) => semver.minVersion(`${branch.trim()} >=${m}.0.0 <${m + 1}.0.0`)?.version ?? []));
    expect(lowest.length).toBeGreaterThan(0);
    const refused = Object.entries(lock.packages).flatMap(([path, p]) =>
      p.dev || !p.engines?.node ? [] : lowest.filter((v) => !semver.satisfies(v, p.engines?.node ?? '*')).map((v) => `${path} (${p.engines?.node}) refuses Node ${v}`),
    );
    expect(refused).toEqual([]);
  });

  it('every package the shipped code imports is a dependency', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const missing = CODE_DIRS.flatMap((d) => sourceFiles(join(REPO, d)))
      .flatMap((f) => importedPackages(readFileSync(f, 'utf8')).map((name) => ({ name, file: f.slice(REPO.length) })))
      .filter(({ name }) => !(name in pkg.dependencies));
    expect(missing).toEqual([]);
    for (const d of CODE_DIRS) expect(existsSync(join(app, d)), d).toBe(true);
  });

  it('answers --help', () => {
    const r = chiso(['--help'], {});
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Usage: chiso');
    for (const command of ['migrate', 'serve', 'start']) expect(r.out).toContain(command);
    expect(r.err).not.toMatch(/EBADENGINE|ERR_MODULE_NOT_FOUND/);
  });

  it('migrates a fresh data directory once', () => {
    const env = { CHISO_DATA_DIR: dataDir('migrate') };
    const first = chiso(['migrate'], env);
    expect(first.code, first.err).toBe(0);
    for (const name of ALL) expect(first.out).toContain(`applied ${name}`);
    const check = chiso(['migrate', '--check', '--json'], env);
    expect(check.code, check.err).toBe(0);
    expect(JSON.parse(check.out)).toMatchObject({ applied: ALL, pending: [] });
  });

  async function serveUntilReadyThenStop(env: Record<string, string>): Promise<void> {
    const migrated = chiso(['migrate'], env);
    expect(migrated.code, migrated.err).toBe(0);
    const port = Number(env.CHISO_API_PORT);
    const child = spawn(process.execPath, ['bin/chiso.js', 'serve'], { cwd: app, env: envOf({ ...env, CHISO_DRAIN_SECONDS: String(DRAIN_SECONDS) }), stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (b: Buffer) => (output += b.toString('utf8')));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let lastStatus = 0;
    await waitFor(
      `/health/ready 200 on port ${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`chiso serve exited with ${child.exitCode}:\n${output}`);
        lastStatus = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.status,
          () => 0,
        );
        return lastStatus === 200;
      },
      150_000,
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message} (last status ${lastStatus}); output:\n${output}`);
    });
    expect(existsSync(join(env.CHISO_DATA_DIR ?? '', 'run', 'chiso.port'))).toBe(true);

    child.kill('SIGTERM');
    // The drain time, and a little for the process to exit after it.
    let code: number | null | 'still running' = 'still running';
    await waitFor('chiso serve to exit after SIGTERM', async () => {
      code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 200))]);
      return code !== 'still running';
    }, (DRAIN_SECONDS + 5) * 1000);
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/EBADENGINE|ENOENT|EACCES|EROFS/);
  }

  it('serves the api role from a fresh data directory, then stops on SIGTERM within the drain time', async () => {
    await serveUntilReadyThenStop({ CHISO_DATA_DIR: dataDir('api'), CHISO_ROLES: 'api', CHISO_API_PORT: String(await freePortRun(1)) });
  });

  it('serves every role (sink, worker, api) from a fresh data directory, then stops on SIGTERM within the drain time', async () => {
    const stack = inject('stackEnv');
    await serveUntilReadyThenStop({
      CHISO_DATA_DIR: dataDir('all'),
      CHISO_ROLES: 'sink,worker,api',
      CHISO_API_PORT: String(await freePortRun(1)),
      KAFKA_BROKERS: stack.KAFKA_BROKERS ?? '',
      TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS ?? '',
      KAFKA_TOPIC_PREFIX: `${randomName('prod')}.`,
      TEMPORAL_TASK_QUEUE: randomName('prod'),
      CHISO_SINK_GROUP: randomName('prod-sink'),
      CHISO_PII_SECRET: 'production-install-test-secret-0123456789',
    });
  });
});
