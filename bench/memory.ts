// Peak memory of every process a benchmark involves: the benchmark's own process and those it starts
// (Kafka's JVM, the Temporal server), their VmHWM sampled from /proc while the benchmark runs,
// since they exit with it.
import { readdirSync, readFileSync } from 'node:fs';

export interface PeakMemory {
  /** Process label (bench process, kafka broker (JVM), temporal server, ...) -> peak RSS in MiB. */
  peaks: Map<string, number>;
  stop(): Map<string, number>;
}

function status(pid: number): Record<string, string> | undefined {
  try {
    const out: Record<string, string> = {};
    for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return out;
  } catch {
    return undefined; // gone meanwhile, or not Linux
  }
}

const kib = (v: string | undefined) => (v ? Number.parseInt(v, 10) : 0);

function label(pid: number): string {
  let cmd: string;
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'process';
  }
  if (/kafka/i.test(cmd) && /java/.test(cmd)) return 'kafka broker (JVM)';
  if (/temporal/.test(cmd) && /server/.test(cmd)) return 'temporal server';
  if (/node/.test(cmd)) return 'other node process';
  return cmd.split(' ')[0]?.split('/').at(-1) ?? 'process';
}

/** Descendants of pid (children of children...), from /proc/<p>/status PPid. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    const pid = Number(d);
    if (!Number.isInteger(pid)) continue;
    const s = status(pid);
    if (s) parent.set(pid, kib(s.PPid));
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    let p = parent.get(pid);
    for (let depth = 0; p !== undefined && p > 1 && depth < 10; depth++) {
      if (p === root) {
        out.push(pid);
        break;
      }
      p = parent.get(p);
    }
  }
  return out;
}

/** Processes smaller than this (helpers such as esbuild's service) are left out of the figures. */
const MIN_MIB = 32;

/** Samples the descendants of root; `named` labels some of them by pid. stop() returns the peaks in MiB. */
export function trackPeakMemory(root: number, named: Map<number, string> = new Map(), intervalMs = 500): PeakMemory {
  const peaks = new Map<string, number>();
  const sample = () => {
    try {
      for (const pid of descendants(root)) {
        const s = status(pid);
        const mib = s ? kib(s.VmHWM) / 1024 : 0;
        const name = named.get(pid) ?? label(pid);
        if (mib >= MIN_MIB) peaks.set(name, Math.max(peaks.get(name) ?? 0, mib));
      }
    } catch {
      // /proc unreadable (not Linux): no figures
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  sample();
  return {
    peaks,
    stop() {
      clearInterval(timer);
      return peaks;
    },
  };
}
