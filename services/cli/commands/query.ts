// `chiso query "<SELECT ...>" [--format F]`: read-only SQL against the store, through the running
// chiso process. The process decides what may run (services/ioc-api/readonly-sql/, docs/sql-query.md);
// a refusal is printed with its reason and exits 2.
import type { Command } from 'commander';
import { apiClient, expectOk } from '../../ioc-api/client.ts';
import { QUERY_FORMATS } from '../../ioc-api/routes/query.ts';
import { UsageError } from '../../../lib/errors.ts';
import { makeContext } from '../context.ts';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run one read-only SELECT (or WITH ... SELECT) over chiso\'s readable tables, named chiso.<table> (docs/sql-query.md)')
    .argument('<sql>', 'the query, e.g. "SELECT * FROM chiso.v_scorecard LIMIT 10"')
    .option('--format <format>', `output format: ${QUERY_FORMATS.join(', ')}`)
    .action(async (sql: string, opts: { format?: string }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      if (sql.trim() === '') throw new UsageError('query: expected one SELECT (or WITH ... SELECT) statement');
      const format = opts.format ?? (ctx.json ? 'JSONEachRow' : 'PrettyCompactMonoBlock');
      if (!(QUERY_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: expected one of ${QUERY_FORMATS.join(', ')}`);
      const r = await expectOk(await apiClient(ctx.cfg).post('/internal/query', { sql, format }));
      process.stdout.write(await r.text());
    });
}
