// `chiso indicators`: the indicator catalogue, from code (no stack needed).
import type { Command } from 'commander';
import { CATALOGUE } from '../../../indicators/catalogue.ts';
import { makeContext } from '../context.ts';
import { table } from '../render.ts';

export function registerIndicators(program: Command): void {
  program
    .command('indicators')
    .description('list the indicator catalogue (code, Vietnamese name, source, kind)')
    .action((_opts: unknown, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      ctx.result(CATALOGUE, () => table(CATALOGUE.map((i) => ({ ...i })), ['code', 'name_vi', 'source', 'kind']));
    });
}
