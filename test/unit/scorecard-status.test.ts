// The scorecard status rule (indicators/scorecard-status.ts) and the SQL copy of it that migrations
// must hold: the newest migration defining v_scorecard is the text the rule generates.
import { describe, expect, it } from 'vitest';
import { attainment, scorecardViewStatement, scoreStatus, statusSql } from '../../indicators/scorecard-status.ts';
import { loadMigrations } from '../../infra/clickhouse/migrate.ts';

describe('scorecard status', () => {
  it('judges a value by its comparator, with the float tolerance on equality', () => {
    expect(scoreStatus('>=', 70, 70)).toBe('met');
    expect(scoreStatus('>=', 56.99999999999999, 57)).toBe('met');
    expect(scoreStatus('>=', 69.9, 70)).toBe('not_met');
    expect(scoreStatus('>', 70, 70)).toBe('not_met');
    expect(scoreStatus('>', 70.1, 70)).toBe('met');
    expect(scoreStatus('=', 100.0000000000001, 100)).toBe('met');
    expect(scoreStatus('=', 99, 100)).toBe('not_met');
    expect(scoreStatus('>=', null, 70)).toBe('no_data');
    expect(scoreStatus('<=', 1, 70)).toBe('not_met');
  });

  it('gives attainment to one decimal, none without a value or for a zero target', () => {
    expect(attainment(12.8, 70)).toBe(18.3);
    expect(attainment(null, 70)).toBeNull();
    expect(attainment(5, 0)).toBeNull();
  });

  it('writes the same rule as SQL', () => {
    expect(statusSql({ value: 'v', target: 't', comparator: 'c' })).toBe(
      "multiIf(v IS NULL, 'no_data', c = '>=' AND v >= t - 1e-9, 'met', c = '>' AND v > t, 'met', c = '=' AND abs(v - t) < 1e-9, 'met', 'not_met')",
    );
  });

  it('is what the newest migration defining v_scorecard holds', () => {
    const defining = loadMigrations().flatMap((m) => m.statements.filter((s) => /^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?\{db\}\.v_scorecard\b/i.test(s)).map((s) => ({ m: m.name, s })));
    const newest = defining.at(-1);
    expect(newest?.m).toBeDefined();
    // On a failure, do not edit that migration (it may be applied already): add a new one holding
    // scorecardViewStatement()'s text followed by ';' (the expected text below).
    expect(newest?.s, `${newest?.m} defines v_scorecard otherwise than indicators/scorecard-status.ts`).toBe(scorecardViewStatement());
  });
});
