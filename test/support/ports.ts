// Free loopback ports for side-by-side stacks (tests, benchmarks).
//
// A port that is free when it is picked must still be free when the stack binds it, minutes later.
// Two things can take it meanwhile: the kernel, which gives ports of its ephemeral range to outgoing
// connections (every Kafka and Temporal client makes many), and a test file running in parallel that
// picked the same port. So ports come from below the ephemeral range, and each vitest worker draws
// from a slice of its own.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;

function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > LOWEST + 2_000) return first;
  } catch {
    // Not Linux: fall back to the IANA dynamic range's start.
  }
  return 49_152;
}

/** The [from, to) range this process draws from: a slice per vitest worker, below the ephemeral range. */
export function portSlice(): { from: number; to: number } {
  const top = ephemeralStart();
  const slices = 16;
  const width = Math.floor((top - LOWEST) / slices);
  const pool = Number(process.env.VITEST_POOL_ID ?? 0);
  const index = Number.isInteger(pool) && pool >= 0 ? pool % slices : 0;
  return { from: LOWEST + index * width, to: LOWEST + (index + 1) * width };
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : undefined;
      s.close(() => resolve(p));
    });
  });
}

/** A port p such that p .. p+count-1 are all free (Temporal's dev server takes port+1 and port+2 too). */
export async function freePortRun(count: number): Promise<number> {
  const { from, to } = portSlice();
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = from + Math.floor(Math.random() * (to - from - count));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = (await tryListen(base + i)) !== undefined;
    if (ok) return base;
  }
  throw new Error(`no run of ${count} free ports found in ${from}..${to - 1}`);
}
