// `chiso serve`: runs the chiso process in the foreground (the roles of CHISO_ROLES): what `up`
// starts in the background, and what each container of docker-compose.yml runs. It refuses a store
// whose migrations are behind (`chiso migrate` first) and drains within CHISO_DRAIN_SECONDS on SIGTERM.
import type { Command } from 'commander';
import { watchEarlySignals } from '../../all-in-one/early-signals.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the chiso process in the foreground: sink, Temporal worker and IOC API (CHISO_ROLES picks a subset); run `chiso migrate` first; SIGTERM drains (CHISO_DRAIN_SECONDS)')
    .action(async () => {
      watchEarlySignals();
      await import('../../all-in-one/main.ts');
    });
}
