// Peak memory of every process a benchmark involves: this process (VmHWM, reset between benchmarks
// through /proc/self/clear_refs) and the processes it starts (Kafka's JVM, the Temporal server,
// child Node processes), sampled from /proc while the benchmark runs since they exit with it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export interface PeakMemory {
  /** Process label (bench process, kafka broker (JVM), temporal server, node child) -> peak RSS in MiB. */
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
  if (/node/.test(cmd)) return 'node child';
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

/** Starts sampling; stop() returns the peaks in MiB (the largest process under each label). */
export function trackPeakMemory(intervalMs = 500): PeakMemory {
  try {
    // "5" resets the peak resident set size of this process, so that each benchmark gets its own.
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux, or not permitted: the bench process's peak is then the run's so far
  }
  const peaks = new Map<string, number>();
  const note = (name: string, mib: number) => peaks.set(name, Math.max(peaks.get(name) ?? 0, mib));
  const sample = () => {
    try {
      for (const pid of descendants(process.pid)) {
        const s = status(pid);
        if (s) note(label(pid), kib(s.VmHWM) / 1024);
      }
    } catch {
      // /proc unreadable: no child figures
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peaks,
    stop() {
      clearInterval(timer);
      sample();
      const self = status(process.pid);
      if (self) note('bench process (node + chDB)', kib(self.VmHWM) / 1024);
      return peaks;
    },
  };
}
