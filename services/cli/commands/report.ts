// `chiso report --unit U --month YYYY-MM --out file.xlsx`: the monthly report, fetched from the
// running chiso process's API (XLSX, or CSV when the file name ends in .csv or --format csv).
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { apiClient, expectOk } from '../../ioc-api/client.ts';
import { UsageError } from '../../../lib/errors.ts';
import { makeContext } from '../context.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('the monthly report of a unit (the seeds\' appendix: STT, indicator, target, plan, result, attainment) as XLSX or CSV')
    .requiredOption('--unit <code>', 'unit code, e.g. H01')
    .requiredOption('--month <YYYY-MM>', 'the month, e.g. 2025-02')
    .requiredOption('--out <file>', 'where to write it (.xlsx or .csv)')
    .option('--format <xlsx|csv>', 'file format (default: from the --out extension)')
    .option('--stored', 'the copy the monthly schedule stored, instead of building it now')
    .action(async (opts: { unit: string; month: string; out: string; format?: string; stored?: boolean }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const format = opts.format ?? (opts.out.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx');
      if (format !== 'xlsx' && format !== 'csv') throw new UsageError(`--format: expected xlsx or csv, got ${format}`);
      const qs = new URLSearchParams({ unit: opts.unit, month: opts.month, format, ...(opts.stored ? { stored: 'true' } : {}) });
      const r = await expectOk(await apiClient(ctx.cfg).get(`/reports/monthly?${qs}`));
      const bytes = Buffer.from(await r.arrayBuffer());
      writeFileSync(opts.out, bytes);
      ctx.result({ unit: opts.unit, month: opts.month, format, out: opts.out, bytes: bytes.length }, () => `Báo cáo tháng ${opts.month} của ${opts.unit}: ${opts.out} (${bytes.length} bytes)`);
    });
}
