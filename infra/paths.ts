// Where the embedded stack keeps what it writes, all under CHISO_DATA_DIR, so that two stacks with
// different data directories and ports can run side by side.
import { join } from 'node:path';
import type { Config } from '../schemas/config.ts';
import type { Managed } from './process.ts';

export interface StackPaths {
  kafka: Managed & { dir: string; logDirs: string; properties: string; log4j: string };
  temporal: Managed & { dir: string; db: string };
  app: Managed & { portFile: string };
}

export function stackPaths(cfg: Config): StackPaths {
  const d = cfg.dataDir;
  const run = join(d, 'run');
  const logs = join(d, 'logs');
  return {
    kafka: {
      name: 'kafka',
      dir: join(d, 'kafka'),
      logDirs: join(d, 'kafka', 'data'),
      properties: join(d, 'kafka', 'server.properties'),
      log4j: join(d, 'kafka', 'log4j2.properties'),
      pidFile: join(run, 'kafka.pid'),
      logFile: join(logs, 'kafka.log'),
    },
    temporal: {
      name: 'temporal',
      dir: join(d, 'temporal'),
      db: join(d, 'temporal', 'temporal.db'),
      pidFile: join(run, 'temporal.pid'),
      logFile: join(logs, 'temporal.log'),
    },
    app: {
      name: 'chiso',
      pidFile: join(run, 'chiso.pid'),
      logFile: join(logs, 'chiso.log'),
      portFile: join(run, 'chiso.port'),
    },
  };
}
