// `chiso serve`: runs the chiso process in the foreground (the roles of CHISO_ROLES): what `up`
// starts in the background, and what each container of docker-compose.yml runs.
import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the chiso process in the foreground: sink, Temporal worker and IOC API (CHISO_ROLES picks a subset)')
    .action(async () => {
      await import('../../all-in-one/main.ts');
    });
}
