// The sink's slabs belong to the sink instance (lines.ts, LineBuffer): two sinks in one process (the
// tests run two group members side by side) write their rows side by side without sharing a slab, so
// one sink's lines stay adjacent (one copied run per insert) and no slab is kept alive by the other.
import { describe, expect, it } from 'vitest';
import { joinLines, LineBuffer, lineBytes } from '../../services/sink/lines.ts';

describe('LineBuffer', () => {
  it('keeps the lines of two instances apart, each in slabs of its own, when they write in turns', () => {
    const one = new LineBuffer();
    const two = new LineBuffer();
    const a: ReturnType<LineBuffer['line']>[] = [];
    const b: ReturnType<LineBuffer['line']>[] = [];
    for (let i = 0; i < 100; i++) {
      a.push(one.line(JSON.stringify(['a', i]), 'raw_events'));
      b.push(two.line(JSON.stringify(['b', i]), 'raw_events'));
    }
    const slabsOf = (lines: typeof a) => new Set(lines.map((l) => l.slab));
    for (const s of slabsOf(a)) expect(slabsOf(b).has(s)).toBe(false);
    // Each instance's lines follow one another in its slab, whatever the other wrote in between.
    for (const lines of [a, b]) {
      for (let i = 1; i < lines.length; i++) {
        expect(lines[i]?.slab).toBe(lines[i - 1]?.slab);
        expect(lines[i]?.start).toBe(lines[i - 1]?.end);
      }
    }
    expect(joinLines(a).toString('utf8')).toBe(a.map((_, i) => `${JSON.stringify(['a', i])}\n`).join(''));
    expect(joinLines(b).toString('utf8')).toBe(b.map((_, i) => `${JSON.stringify(['b', i])}\n`).join(''));
  });

  it("does not move one instance's slab when the other fills its own", () => {
    const one = new LineBuffer();
    const two = new LineBuffer();
    const first = one.line('["x"]');
    // More than a slab (1 MiB) in the other instance: it takes new slabs of its own.
    for (let i = 0; i < 3; i++) two.line(JSON.stringify(['y'.repeat(600_000)]));
    const second = one.line('["z"]');
    expect(second.slab).toBe(first.slab);
    expect(second.start).toBe(first.end);
    expect(lineBytes(first).toString('utf8')).toBe('["x"]\n');
    expect(lineBytes(second).toString('utf8')).toBe('["z"]\n');
  });
});
