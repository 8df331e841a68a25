// The sink's isolation of refused records, against a store that refuses any insert holding a marked
// row as ClickHouse would (a parse error), and one that fails as infrastructure: the refused records
// become rejects at their offsets, everything else is written once per table; an infrastructure
// failure is not taken for bad data.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../infra/clickhouse/store.ts';
import { InfraError } from '../../lib/errors.ts';
import { decode } from '../../services/sink/decode.ts';
import { writeIsolating } from '../../services/sink/isolate.ts';
import { clickhouseCode, isDataRefusal } from '../../services/sink/refused.ts';
import { type Chunk, toItem } from '../../services/sink/write.ts';
import { fingerprint, lines, payment, paymentItem, roles, topic } from './sink-payments.ts';


function chunk(ids: string[], first = 100): Chunk {
  const items = ids.map((id, i) => paymentItem(id, String(first + i)));
  return { topic, partition: 3, firstOffset: String(first), lastOffset: String(first + ids.length - 1), items };
}

/** A chDB-like store that keeps what it is given per table, and fails as `fail` says. */
function fakeStore(fail: (table: string, body: string) => Error | undefined) {
  const rows = new Map<string, string[]>();
  const store = {
    mode: 'chdb',
    db: 'x',
    where: 'fake',
    client: { query: async () => ({ json: async () => [] }) },
    chdbRawInsert: async (p: { table: string; values: Buffer }) => {
      const body = p.values.toString('utf8');
      const e = fail(p.table, body);
      if (e) throw e;
      const list = rows.get(p.table) ?? [];
      list.push(...body.split('\n').filter((l) => l !== ''));
      rows.set(p.table, list);
    },
    close: async () => undefined,
  } as unknown as Store;
  return { store, rows };
}

describe('sink isolation of refused records', () => {
  it('tells data refusals from infrastructure failures by ClickHouse code', () => {
    expect(clickhouseCode(new Error('Code: 38. DB::Exception: Cannot parse date here: 2025-0'))).toBe(38);
    expect(isDataRefusal(new Error("Code: 72. DB::Exception: Unsigned type must not contain '-' symbol"))).toBe(true);
    expect(isDataRefusal(Object.assign(new Error('x'), { code: '469' }))).toBe(true);
    expect(isDataRefusal(new Error('Code: 252. DB::Exception: Too many parts'))).toBe(false);
    expect(isDataRefusal(new Error('connect ECONNREFUSED 127.0.0.1:8123'))).toBe(false);
  });

  it('writes everything but the refused records, which become rejects at their offsets', async () => {
    const { store, rows } = fakeStore((table, body) => (table === 'x.payments' && body.includes('BAD') ? new Error('Code: 27. DB::Exception: Cannot parse input: expected \'"\' (at row 3)\n: Row 3: ...') : undefined));
    const ids = Array.from({ length: 23 }, (_, i) => (i === 4 || i === 17 ? `BAD-${i}` : `OK-${i}`));
    const r = await writeIsolating(store, lines, [chunk(ids.slice(0, 10), 100), chunk(ids.slice(10), 110)], new Date('2025-03-05T00:00:00Z'), fingerprint);
    expect(r.refused).toBe(2);
    const raw = (rows.get('x.raw_events') ?? []).map((l) => (JSON.parse(l) as string[])[3]);
    expect(raw.sort()).toEqual(ids.filter((id) => id.startsWith('OK')).sort());
    const latest = (rows.get('x.payments') ?? []).map((l) => l);
    expect(latest.filter((l) => l.includes('BAD'))).toEqual([]);
    expect(new Set(latest).size).toBe(21);
    const rejects = (rows.get('x.rejects') ?? []).map((l) => JSON.parse(l) as unknown[]);
    // Columns of rejectRow: run_id, source, entity, location, field, reason, original, topic, partition, offset, rejected_at.
    expect(rejects.map((x) => [x[3], x[8], x[9]])).toEqual([
      [`kafka://${topic}/3/104`, 3, '104'],
      [`kafka://${topic}/3/117`, 3, '117'],
    ]);
    expect(rejects[0]?.[5]).toBe("ClickHouse refused the record (payments): Code: 27. DB::Exception: Cannot parse input: expected '\"'");
    expect(String(rejects[0]?.[6])).toContain('BAD-4');
  });

  it('redacts the reject of a refused record: its original, and the reason ClickHouse gave, which may quote the row', async () => {
    const citizen = '001203004567';
    const { store, rows } = fakeStore((table, body) =>
      table === 'x.payments' && body.includes('BAD') ? new Error(`Code: 27. DB::Exception: Cannot parse input: Row 1: "BAD-1" citizen ${citizen} phone 0912345678 mail an.nguyen@example.vn`) : undefined,
    );
    // A canonical event is pseudonymised by its connector; a value that got through anyway is still caught here.
    const bad = payment('BAD-1');
    const line = JSON.stringify({ ...bad, data: { ...bad.data, note: `CCCD ${citizen}, 0912345678, an.nguyen@example.vn` } });
    const item = toItem(decode({ value: Buffer.from(line), offset: '200', timestamp: '0' }, { topic, partition: 3, offset: '200' }, roles.get(topic), fingerprint), lines);
    const r = await writeIsolating(store, lines, [{ topic, partition: 3, firstOffset: '200', lastOffset: '200', items: [item] }], new Date('2025-03-05T00:00:00Z'), fingerprint);
    expect(r.refused).toBe(1);
    const [reject] = (rows.get('x.rejects') ?? []).map((l) => JSON.parse(l) as unknown[]);
    expect(reject?.[3]).toBe(`kafka://${topic}/3/200`);
    const stored = `${String(reject?.[5])} ${String(reject?.[6])}`;
    expect(stored).toContain('ClickHouse refused the record (payments)');
    for (const value of [citizen, '0912345678', 'an.nguyen@example.vn']) expect(stored).not.toContain(value);
  });

  it('leaves an infrastructure failure to the retry loop', async () => {
    const { store } = fakeStore((table) => (table === 'x.raw_events' ? new Error('Code: 252. DB::Exception: Too many parts (300)') : undefined));
    await expect(writeIsolating(store, lines, [chunk(['A', 'B'])], new Date(), fingerprint)).rejects.toBeInstanceOf(InfraError);
  });
});
