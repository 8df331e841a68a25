// `chiso start` (`npm start`): the main job on the embedded default. Brings the stack up and keeps
// it serving until Ctrl-C; later stages (ingesting the bundled samples, computing) hook in here.
import type { Command } from 'commander';
import { down, up } from '../../../infra/stack.ts';
import { makeContext } from '../context.ts';
import { holdUntilSignal, printUp } from './stack.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('the main job: bring the stack up, then serve the dashboard until Ctrl-C')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = makeContext(cmd.optsWithGlobals());
      const r = await up(ctx.cfg, ctx.say);
      ctx.result(r, () => printUp(r));
      ctx.say('Running. Press Ctrl-C to stop everything.');
      await holdUntilSignal(async () => {
        await down(ctx.cfg, ctx.say);
      });
    });
}
