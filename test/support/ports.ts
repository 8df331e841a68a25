// Free loopback ports for side-by-side stacks (tests, benchmarks).
import { createServer } from 'node:net';

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
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = (await tryListen(base + i)) !== undefined;
    if (ok) return base;
  }
  throw new Error(`no run of ${count} free ports found`);
}
