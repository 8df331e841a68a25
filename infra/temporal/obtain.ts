// Obtains the `temporal` CLI (which embeds the dev server) once: `go install` of a pinned tag into
// the cache, or an existing binary named by TEMPORAL_CLI.
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../schemas/config.ts';
import { InfraError } from '../../lib/errors.ts';
import { type Progress, requireTool, runWithProgress } from '../tools.ts';

// Later tags carry a `replace` directive in go.mod that `go install pkg@version` refuses.
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export async function ensureTemporalCli(cfg: Config, progress: Progress): Promise<string> {
  if (cfg.temporal.cli) {
    try {
      accessSync(cfg.temporal.cli, constants.X_OK);
    } catch {
      throw new InfraError(`TEMPORAL_CLI=${cfg.temporal.cli} is not an executable file: expected the path of a temporal CLI binary`, 'TEMPORAL_CLI_INVALID', {}, { retriable: false });
    }
    return cfg.temporal.cli;
  }
  const dir = join(cfg.cacheDir, 'temporal', TEMPORAL_CLI_VERSION);
  const bin = join(dir, 'temporal');
  if (existsSync(bin)) return bin;
  requireTool('go');
  const partial = join(dir, 'partial');
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await runWithProgress(
    `Building the temporal CLI ${TEMPORAL_CLI_VERSION} with go install (once, about 3 minutes)`,
    'go',
    ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
    { env: { ...process.env, GOBIN: partial, GOFLAGS: '' }, progress, cwd: dir },
  );
  renameSync(join(partial, 'temporal'), bin);
  rmSync(partial, { recursive: true, force: true });
  return bin;
}
