// Every migration statement can run twice: `chiso migrate` starts a failed migration again from its
// first statement, and a store made before the ledger runs every migration again over what it holds
// (docs/production.md). So each statement is a CREATE ... IF NOT EXISTS / OR REPLACE, an ALTER or DROP
// with IF [NOT] EXISTS, an ALTER ... MODIFY TTL (it replaces the table's one TTL), or an INSERT (into
// a table that collapses a second copy of its rows).
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../infra/clickhouse/migrate.ts';

const IDEMPOTENT = [
  /^CREATE\s+(?:TABLE|VIEW|MATERIALIZED\s+VIEW|DICTIONARY|DATABASE|FUNCTION|ROLE|USER|ROW\s+POLICY|SETTINGS\s+PROFILE|QUOTA)\s+IF\s+NOT\s+EXISTS\b/i,
  /^CREATE\s+OR\s+REPLACE\b/i,
  /^ALTER\s+TABLE\s+\S+\s+(?:ADD|DROP|MODIFY|RENAME|CLEAR|COMMENT)\s+(?:COLUMN|INDEX|PROJECTION|CONSTRAINT)\s+IF\s+(?:NOT\s+)?EXISTS\b/i,
  // A table has one TTL: MODIFY TTL replaces it, so running it twice leaves the same TTL.
  /^ALTER\s+TABLE\s+\S+\s+MODIFY\s+TTL\b/i,
  /^DROP\s+\w+(?:\s+\w+)?\s+IF\s+EXISTS\b/i,
  /^INSERT\s+INTO\b/i,
];

describe('migrations', () => {
  it('are numbered once each, in order', () => {
    const versions = loadMigrations().map((m) => m.version);
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });

  it('only hold statements that can run twice', () => {
    const notIdempotent = loadMigrations().flatMap((m) => m.statements.filter((s) => !IDEMPOTENT.some((re) => re.test(s.trim()))).map((s) => `${m.name}: ${s.slice(0, 80)}`));
    expect(notIdempotent).toEqual([]);
  });
});
