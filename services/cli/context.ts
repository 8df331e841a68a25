// What every command gets: the parsed configuration, the logger, and output helpers that honour --json.
import { type Config, loadConfig } from '../../schemas/config.ts';
import { createLogger, type Logger } from '../../lib/logger.ts';

export interface Context {
  cfg: Config;
  log: Logger;
  json: boolean;
  /** A line for people (stderr when --json, so that stdout stays machine-readable). */
  say(line: string): void;
  /** The command's result: JSON with --json, else the given human rendering. */
  result(value: unknown, human: () => string): void;
}

export function makeContext(opts: { json?: boolean }): Context {
  const cfg = loadConfig(process.env);
  const json = opts.json === true;
  // A command's own lines go to the terminal; the logger only speaks up about problems unless asked.
  const log = createLogger(process.env.CHISO_LOG_LEVEL ? cfg.logLevel : 'warn', { name: 'chiso-cli' });
  return {
    cfg,
    log,
    json,
    say: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
    result: (value, human) => process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`),
  };
}
