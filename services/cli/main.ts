// `chiso`: the operator's command line. Each command lives in commands/; this file wires them and
// turns failures into a message and a non-zero exit code.
import { Command, CommanderError } from 'commander';
import { ChisoError, ConfigError } from '../../lib/errors.ts';
import { registerBackup } from './commands/backup.ts';
import { registerCompute } from './commands/compute.ts';
import { registerImport } from './commands/import.ts';
import { registerIndicators } from './commands/indicators.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerNightly } from './commands/nightly.ts';
import { registerQuery } from './commands/query.ts';
import { registerReport } from './commands/report.ts';
import { registerRejects, registerRuns } from './commands/runs.ts';
import { registerReplay } from './commands/replay.ts';
import { registerServe } from './commands/serve.ts';
import { registerStack } from './commands/stack.ts';
import { registerStart } from './commands/start.ts';

const program = new Command('chiso')
  .description('chiso (chỉ số): digital-transformation indicators from one-stop-shop, document-management and public-service-portal exports')
  .option('--json', 'machine-readable output on stdout')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerStart(program);
registerIngest(program);
registerIndicators(program);
registerCompute(program);
registerNightly(program);
registerImport(program);
registerStack(program);
registerMigrate(program);
registerServe(program);
registerReport(program);
registerQuery(program);
registerRuns(program);
registerRejects(program);
registerReplay(program);
registerBackup(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  if (e instanceof ConfigError) {
    process.stderr.write(`chiso: ${e.message}\n`);
    process.exit(2);
  }
  if (e instanceof ChisoError) {
    process.stderr.write(`chiso: ${e.message}\n`);
    process.exit(e.code === 'USAGE' ? 2 : 1);
  }
  process.stderr.write(`chiso: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
