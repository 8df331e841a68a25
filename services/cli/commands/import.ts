// `chiso import-units|import-targets|import-manual file.csv`: validates every row here (row-level
// errors, nothing written when the file has any), then hands the rows to the importData workflow so
// that the write happens in the process that owns the store.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { IMPORTS, type ImportKind, parseCsv, type RowError } from '../../../indicators/import.ts';
import { UsageError, errorMessage } from '../../../lib/errors.ts';
import { isRemote } from '../../ioc-api/client.ts';
import { makeContext } from '../context.ts';
import { remoteImport } from '../remote.ts';
import { requireWorker, withTemporal } from '../../../infra/temporal/client.ts';

const describeErrors = (errors: RowError[]) => errors.map((e) => `  line ${e.line}${e.field ? `, ${e.field}` : ''}: ${e.reason}`).join('\n');

function register(program: Command, kind: ImportKind, name: string, what: string): void {
  program
    .command(`${name} <file>`)
    .description(`load ${what} from a CSV (${IMPORTS[kind].columns.join(',')}), validated row by row`)
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${errorMessage(e)}`);
      }
      const parsed = parseCsv(kind, text);
      if (parsed.errors.length > 0) {
        throw new UsageError(`${file}: ${parsed.errors.length} bad row(s), nothing imported; fix them and retry:\n${describeErrors(parsed.errors)}`, { errors: parsed.errors });
      }
      // Manual rows keep their line: the worker refuses unknown units row by row.
      const rows = kind === 'manual' ? parsed.rows.map((r, i) => ({ ...r, line: i + 2 })) : parsed.rows;
      const r = isRemote(ctx.cfg) ? await remoteImport(ctx, kind, text) : await withTemporal(ctx.cfg, async (client) => {
        await requireWorker(client, ctx.cfg);
        return client.workflow.execute('importData', {
          taskQueue: ctx.cfg.temporal.taskQueue,
          workflowId: `chiso-import-${kind}-${randomBytes(4).toString('hex')}`,
          args: [{ kind, rows }],
        });
      });
      ctx.result(r, () => `${r.written} ${what} row(s) imported${r.errors.length ? `; ${r.errors.length} refused:\n${describeErrors(r.errors)}` : ''}`);
      if (r.errors.length > 0) process.exitCode = 1;
    });
}

export function registerImport(program: Command): void {
  register(program, 'units', 'import-units', 'units');
  register(program, 'targets', 'import-targets', 'plan targets');
  register(program, 'manual', 'import-manual', 'manual indicator values');
}
