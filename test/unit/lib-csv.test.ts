// The one CSV reader (lib/csv.ts) on a text held in memory: what the reference-data imports read.
import { describe, expect, it } from 'vitest';
import { parseCsvText } from '../../lib/csv.ts';

describe('parseCsvText', () => {
  it('reads rows of trimmed cells: BOM dropped, quotes, line breaks inside quotes, blank lines skipped', () => {
    const r = parseCsvText('\uFEFFa,b\r\n 1 , "2 ""x"""\n\n"y\nz",3\n  \n4');
    expect(r).toEqual({
      ok: true,
      rows: [
        { line: 1, cells: ['a', 'b'] },
        { line: 2, cells: ['1', '2 "x"'] },
        { line: 4, cells: ['y\nz', '3'] },
        { line: 7, cells: ['4'] },
      ],
    });
  });

  it('keeps a stray quote inside a field as text (an inch mark)', () => {
    expect(parseCsvText('a;b\nỐng 5" inox;1\n', { sep: ';' })).toEqual({ ok: true, rows: [{ line: 1, cells: ['a', 'b'] }, { line: 2, cells: ['Ống 5" inox', '1'] }] });
  });

  it('answers a quote never closed, or a record beyond the limit, as a typed result', () => {
    expect(parseCsvText('a,b\n"x,1\n2,3\n')).toEqual({ ok: false, line: 2, reason: expect.stringContaining('never closed') });
    expect(parseCsvText(`a,b\n${'x'.repeat(100)},1\n`, { maxRecordBytes: 50 })).toEqual({ ok: false, line: 2, reason: expect.stringContaining('a record longer than 50 bytes') });
  });
});
