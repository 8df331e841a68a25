// `chiso simulator`: serves a folder of export files as the sources' HTTP export API (SOURCES.md),
// for demos and manual tests of `chiso ingest <source> <url>`.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startSimulator } from '../../source-simulator/server.ts';
import { UsageError } from '../../lib/errors.ts';
import { makeContext } from '../context.ts';
import { holdUntilSignal } from './stack.ts';

export function registerSimulator(program: Command): void {
  program
    .command('simulator')
    .description('serve a folder of exports (<entity>.ndjson / .json) as the HTTP export API: GET /<entity>?from&to&page&pageSize with a bearer token')
    .requiredOption('--dir <dir>', 'folder of export files, searched recursively (e.g. infra/samples/data)')
    .option('--port <port>', 'TCP port (0 = any free port)', '8090')
    .option('--token <token>', 'bearer token to require (default: CHISO_SOURCE_API_TOKEN, else a generated one that is printed)')
    .action(async (opts: { dir: string; port: string; token?: string }, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a TCP port number, got ${opts.port}`);
      const token = opts.token ?? ctx.cfg.sourceApiToken ?? randomBytes(16).toString('hex');
      const sim = await startSimulator({ dir: resolve(opts.dir), port, host: ctx.cfg.bindHost, token, log: ctx.log });
      ctx.result({ url: sim.url, token, counts: sim.counts }, () =>
        [
          `Mô phỏng API xuất dữ liệu / export API simulator: ${sim.url}`,
          `Token: ${token}`,
          `Bản ghi / records: ${Object.entries(sim.counts).map(([e, n]) => `${e} ${n}`).join(', ')}`,
          `Lỗi giả lập / faults: curl -X POST -H 'authorization: Bearer ${token}' -d '{"failNext":2,"status":500}' ${sim.url}/_control`,
        ].join('\n'),
      );
      ctx.say('Running. Press Ctrl-C to stop.');
      await holdUntilSignal(() => sim.stop());
    });
}
