// `chiso query "<SELECT ...>" [--format F]`: read-only SQL against the store, through the running
// chiso process (readonly=1 there). Anything but one SELECT/WITH statement is refused here first.
import type { Command } from 'commander';
import { apiClient, expectOk } from '../../ioc-api/client.ts';
import { checkReadOnlySql } from '../../ioc-api/readonly-sql.ts';
import { QUERY_FORMATS } from '../../ioc-api/routes/query.ts';
import { UsageError } from '../../lib/errors.ts';
import { makeContext } from '../context.ts';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run one read-only SELECT (or WITH ... SELECT) against the store; tables are named chiso.<table>')
    .argument('<sql>', 'the query, e.g. "SELECT * FROM chiso.v_scorecard LIMIT 10"')
    .option('--format <format>', `output format: ${QUERY_FORMATS.join(', ')}`)
    .action(async (sql: string, opts: { format?: string }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const check = checkReadOnlySql(sql);
      if (!check.ok) throw new UsageError(`query refused: ${check.reason}`);
      const format = opts.format ?? (ctx.json ? 'JSONEachRow' : 'PrettyCompactMonoBlock');
      if (!(QUERY_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: expected one of ${QUERY_FORMATS.join(', ')}`);
      const r = await expectOk(await apiClient(ctx.cfg).post('/internal/query', { sql: check.sql, format }));
      process.stdout.write(await r.text());
    });
}
