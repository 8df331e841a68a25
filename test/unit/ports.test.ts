// Test ports come from below the kernel's ephemeral range (outgoing connections never take them
// between the pick and the bind) and from a slice of their own per vitest worker.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRun, portSlice } from '../support/ports.ts';

const saved = process.env.VITEST_POOL_ID;
afterEach(() => {
  if (saved === undefined) delete process.env.VITEST_POOL_ID;
  else process.env.VITEST_POOL_ID = saved;
});

describe('test ports', () => {
  it('stay below the ephemeral range', async () => {
    const ephemeral = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    for (let i = 0; i < 20; i++) {
      const p = await freePortRun(4);
      expect(p).toBeGreaterThanOrEqual(10_000);
      expect(p + 3).toBeLessThan(ephemeral);
    }
  });

  it('give each worker a slice that no other worker draws from', () => {
    const slices = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => {
      process.env.VITEST_POOL_ID = String(id);
      return portSlice();
    });
    for (let i = 1; i < slices.length; i++) expect(slices[i]!.from).toBeGreaterThanOrEqual(slices[i - 1]!.to);
    for (const s of slices) expect(s.to - s.from).toBeGreaterThan(1_000);
  });
});
