// Three tiers (test/README.md): unit tests never reach a server; integration tests run against the
// real Kafka broker, the real Temporal server and chDB, which test/support/global-setup.ts starts
// with the project's own scripts on free ports and a throw-away data directory; fault tests kill,
// stop or starve one of those real parts and run one file at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Native addons (chDB, Temporal's core bridge) need real processes, not worker threads.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 600_000,
    // expect.poll waits for a condition with a bound; 1 s (vitest's default) is a timing assertion
    // on a busy 2-core machine (a browser page rendering, a process answering), not a bound.
    expect: { poll: { timeout: 30_000, interval: 100 } },
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        // The fault matrix (docs/reliability.md): kills and restarts of the broker, the sink, the
        // worker and the Temporal server, source API faults and ClickHouse refusing writes. One file
        // at a time: a case's recovery is bounded in time, and two kills at once on 2 cores would
        // measure each other.
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
