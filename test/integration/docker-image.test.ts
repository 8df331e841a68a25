// The Dockerfile's build, outside Docker (no engine runs here): its RUN commands run in a copy of the
// build context (.dockerignore applied, WORKDIR /app mapped onto the copy), and the chiso worker of
// the runtime stage's configuration (CHISO_WORKFLOW_BUNDLE) loads the bundle they built and runs a
// real workflow with it on the test stack's Temporal server.
// Not run here: `npm ci --omit=dev` (a whole install from the registry); the copy links the
// installed node_modules in its place. `chown node:...` runs only where a user `node` exists (the
// node base image has one; this machine may not).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/clickhouse/migrate.ts';
import { openStore, select, type Store } from '../../infra/clickhouse/store.ts';
import { createLogger } from '../../lib/logger.ts';
import { createWorker } from '../../services/worker/index.ts';
import { parseDockerfile } from '../support/dockerfile.ts';
import { randomName, testConfig } from '../support/env.ts';
import { insertFixture } from './indicators-fixture.ts';

const log = createLogger('warn');
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = parseDockerfile(readFileSync(join(repo, 'Dockerfile'), 'utf8'));

/** .dockerignore's patterns (Go filepath.Match, relative to the context's root) as a predicate. */
function dockerignore(): (path: string) => boolean {
  const patterns = readFileSync(join(repo, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}(/.*)?$`));
  return (path) => patterns.some((re) => re.test(path));
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('Dockerfile build commands, run outside Docker', () => {
  let context: string;
  const ran: string[] = [];
  const notRun: string[] = [];
  /** An image path (under WORKDIR /app) in the copy. */
  const inCopy = (path: string) => path.replace(/^\/app(?=\/|$)/, context);

  beforeAll(() => {
    context = mkdtempSync(join(tmpdir(), 'chiso-docker-context-'));
    const ignored = dockerignore();
    cpSync(repo, context, { recursive: true, filter: (src) => src === repo || !ignored(relative(repo, src)) });
    // Stands for the deps stage (`npm ci --omit=dev`).
    symlinkSync(join(repo, 'node_modules'), join(context, 'node_modules'));
    for (const stage of dockerfile.stages) {
      const workdirs = stage.instructions.filter((i) => i.op === 'WORKDIR').map((i) => i.args);
      expect(workdirs.every((w) => w === '/app'), `${stage.name ?? 'runtime'}: WORKDIR ${workdirs.join(', ')}`).toBe(true);
      for (const run of stage.instructions.filter((i) => i.op === 'RUN')) {
        for (const part of run.args.split('&&').map((p) => p.trim())) {
          if (/^npm (ci|cache)\b/.test(part)) {
            notRun.push(part);
            continue;
          }
          const chown = /^chown (\w+)(:\w+)? /.exec(part);
          if (chown && !userExists(chown[1]!)) {
            notRun.push(part);
            continue;
          }
          execFileSync('sh', ['-ec', part.replace(/(^|\s)\/app(?=\/|\s|$)/g, `$1${context}`)], { cwd: context, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
          ran.push(part);
        }
      }
    }
  }, 600_000);
  afterAll(() => {
    if (context) rmSync(context, { recursive: true, force: true });
  });

  it('runs the build steps that need neither the registry nor the base image\'s user', () => {
    expect(ran.some((r) => r.includes('infra/temporal/bundle-workflows.ts'))).toBe(true);
    expect(ran).toContain('mkdir -p /app/.data');
    expect(notRun.filter((n) => !/^(npm |chown )/.test(n))).toEqual([]);
    expect(statSync(join(context, '.data')).isDirectory()).toBe(true);
    // The context copy has no local state or secrets.
    for (const p of ['.data/chdb', '.env', '.git']) expect(existsSync(join(context, p)), p).toBe(false);
  });

  it('produces the bundle the runtime stage copies and names in CHISO_WORKFLOW_BUNDLE', () => {
    const runtime = dockerfile.stages.at(-1)!;
    const copy = runtime.instructions.find((i) => i.op === 'COPY' && i.args.startsWith('--from=bundle'))!;
    const [, from = ''] = copy.args.split(/\s+/);
    const env = /CHISO_WORKFLOW_BUNDLE=(\S+)/.exec(runtime.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' '))![1]!;
    expect(env).toBe(from);
    const bundle = readFileSync(inCopy(from), 'utf8');
    expect(bundle.length).toBeGreaterThan(100_000);
    // The workflows of workflows/index.ts are in it.
    for (const wf of ['computeIndicators', 'nightly', 'monthlyReport', 'ingest', 'replay']) expect(bundle, wf).toContain(wf);
  });

  describe('the worker with that bundle', () => {
    let store: Store;

    beforeAll(async () => {
      store = await openStore(testConfig().clickhouse);
      await migrate(store, log);
      await insertFixture(store);
    });
    afterAll(async () => {
      await store?.client.command({ query: `DROP DATABASE IF EXISTS ${store.db}` });
      await store?.close();
    });

    it('runs computeIndicators from the prebuilt bundle on the Temporal server', async () => {
      const runtime = dockerfile.stages.at(-1)!;
      const path = /CHISO_WORKFLOW_BUNDLE=(\S+)/.exec(runtime.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' '))![1]!;
      const cfg = testConfig({ TEMPORAL_TASK_QUEUE: randomName('tq'), CHISO_WORKFLOW_BUNDLE: inCopy(path), CLICKHOUSE_DATABASE: store.db });
      expect(cfg.temporal.workflowBundle).toBe(inCopy(path));
      const worker = createWorker({ cfg, store, log }, { schedule: false });
      await worker.start();
      const connection = await Connection.connect({ address: cfg.temporal.address });
      try {
        const client = new Client({ connection, namespace: cfg.temporal.namespace });
        const summary = await client.workflow.execute('computeIndicators', {
          taskQueue: cfg.temporal.taskQueue,
          workflowId: randomName('compute'),
          args: [{ days: ['2025-03-01', '2025-03-02', '2025-03-03'] }],
        });
        expect(summary).toMatchObject({ days: 3, periods: 3 });
        const [row] = await select<{ value: number }>(
          store,
          `SELECT value FROM ${store.db}.v_indicator_values WHERE indicator = 'dossier_online' AND unit_code = 'X0101' AND period = 'day' AND period_start = '2025-03-01'`,
        );
        expect(Math.round((row?.value ?? NaN) * 100) / 100).toBe(66.67);
      } finally {
        await connection.close();
        await worker.stop();
      }
    });

    it('refuses to start when CHISO_WORKFLOW_BUNDLE names no file', async () => {
      const cfg = testConfig({ TEMPORAL_TASK_QUEUE: randomName('tq'), CHISO_WORKFLOW_BUNDLE: join(context, 'build', 'absent.js'), CLICKHOUSE_DATABASE: store.db });
      const worker = createWorker({ cfg, store, log }, { schedule: false });
      await expect(worker.start()).rejects.toThrow(/CHISO_WORKFLOW_BUNDLE names .*absent\.js, which does not exist/);
      await worker.stop();
    });
  });
});
