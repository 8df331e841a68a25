// The one pino root logger. Components take child loggers ({ component: 'sink' }); secrets and
// personal data are redacted by path. On a terminal the lines are shortened for people; elsewhere
// they stay JSON for machines.
import { Writable } from 'node:stream';
import pino from 'pino';

export type Logger = pino.Logger;

const REDACT = [
  'password',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
];

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Formats JSON lines as `hh:mm:ss LEVEL [component] msg key=value` for a terminal. */
function humanStream(out: NodeJS.WriteStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const { level, time, msg, component, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const t = new Date(Number(time)).toTimeString().slice(0, 8);
          const extra = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          out.write(`${t} ${LEVELS[Number(level)] ?? level} ${component ? `[${String(component)}] ` : ''}${String(msg ?? '')}${extra ? ` ${extra}` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}

export function createLogger(level: string, opts: { name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const dest = opts.destination ?? (process.stderr.isTTY ? humanStream(process.stderr) : pino.destination(2));
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { name: opts.name ?? 'chiso' } }, dest);
}
