// The external tools the local stack obtains its parts with (java, mvn, go), checked with a
// message that says what to install, and long commands run with a progress line.
import { spawn, spawnSync } from 'node:child_process';
import { InfraError, ToolMissingError } from '../lib/errors.ts';

export interface Progress {
  (line: string): void;
}

const INSTALL_HINT: Record<string, string> = {
  java: 'install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless) or point JAVA at it',
  mvn: 'install Apache Maven (Debian: apt-get install maven), or set KAFKA_HOME to an existing Kafka installation',
  go: 'install Go 1.24 or newer (https://go.dev/dl, or Debian backports: golang-go), or set TEMPORAL_CLI to an existing temporal binary',
};

/** Returns the tool's version line; throws ToolMissingError naming what to install. */
export function requireTool(tool: 'java' | 'mvn' | 'go'): string {
  const args = tool === 'go' ? ['version'] : tool === 'java' ? ['-version'] : ['-v'];
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new ToolMissingError(`'${tool}' was not found on PATH: ${INSTALL_HINT[tool]}.`, tool);
  }
  const out = `${r.stdout}${r.stderr}`.trim();
  if (tool === 'java') {
    const m = /version "(\d+)/.exec(out);
    if (m && Number(m[1]) < 17) {
      throw new ToolMissingError(`Java ${m[1]} is too old for Kafka 4: ${INSTALL_HINT.java}.`, tool);
    }
  }
  return out.split('\n')[0] ?? out;
}

/**
 * Runs a command to completion, printing "<label>… 15 s" every interval so that minutes of
 * downloading or compiling are visibly alive. Fails with the tail of its output.
 */
export async function runWithProgress(
  label: string,
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; progress: Progress; everyMs?: number },
): Promise<number> {
  const started = Date.now();
  opts.progress(`${label}…`);
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setInterval(() => opts.progress(`${label}… ${Math.round((Date.now() - started) / 1000)} s`), opts.everyMs ?? 15_000);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code !== 0) {
      throw new InfraError(`${label} failed (exit ${code}):\n${tail.trim().split('\n').slice(-20).join('\n')}`, 'TOOL_FAILED', { command });
    }
  } finally {
    clearInterval(timer);
  }
  const ms = Date.now() - started;
  opts.progress(`${label}: done in ${(ms / 1000).toFixed(1)} s`);
  return ms;
}
