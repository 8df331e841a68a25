// Bundles the workflows of workflows/ into one file ahead of time (the Docker image runs this at
// build time), so that a worker given CHISO_WORKFLOW_BUNDLE starts without running webpack: faster
// starts, and the image needs no write access to its code.
//   node --import tsx infra/temporal/bundle-workflows.ts <out.js>
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createLogger } from '../../lib/logger.ts';

/** The barrel of every workflow; the same file the worker's workflowsPath names (services/worker). */
const WORKFLOWS = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/** Writes the bundle of workflows/ to `out` and returns its size in bytes. */
export async function bundleWorkflows(out: string): Promise<number> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  return Buffer.byteLength(code);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = createLogger('info').child({ component: 'bundle-workflows' });
  const target = process.argv[2];
  if (target === undefined) {
    log.error('usage: bundle-workflows.ts <out.js> (where to write the workflow bundle)');
    process.exitCode = 2;
  } else {
    const out = resolve(target);
    const bytes = await bundleWorkflows(out);
    log.info({ out, bytes }, 'workflow bundle written');
  }
}
