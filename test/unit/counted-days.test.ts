// The counted-days rule (indicators/counted-days.ts): a new version touches the days of its
// previous stored version and its own, under the old and the new unit.
import { describe, expect, it } from 'vitest';
import { countedDays, eachTouched, firstPayloadDayTextSql, touchedBy } from '../../indicators/counted-days.ts';
import { hcmToday } from '../../indicators/periods.ts';
import { loadMigrations } from '../../infra/clickhouse/migrate.ts';

describe('counted days', () => {
  it('a dossier counts on its received and finished days; a moved one touches both versions, under both units', () => {
    expect(countedDays('dossiers', { unit_code: 'A', days: ['2025-03-03', null] }, '2025-12-31')).toEqual(['2025-03-03']);
    const touched = touchedBy('dossiers', { unit_code: 'A', days: ['2025-03-03', null] }, { unit_code: 'B', days: ['2025-03-05', '2025-03-07'] }, '2025-12-31');
    expect(touched).toEqual([
      { unit_code: 'A', day: '2025-03-03' },
      { unit_code: 'B', day: '2025-03-05' },
      { unit_code: 'B', day: '2025-03-07' },
    ]);
    expect(touchedBy('payments', undefined, { unit_code: 'A', days: ['2025-03-04'] }, '2025-12-31')).toEqual([{ unit_code: 'A', day: '2025-03-04' }]);
  });

  it('a catalogue entry counts on every day of its validity up to today', () => {
    expect(countedDays('services', { unit_code: 'A', days: ['2025-02-27', '2025-03-02'] }, '2025-12-31')).toEqual(['2025-02-27', '2025-02-28', '2025-03-01', '2025-03-02']);
    expect(countedDays('services', { unit_code: 'A', days: ['2025-03-30', null] }, '2025-04-01')).toEqual(['2025-03-30', '2025-03-31', '2025-04-01']);
    expect(countedDays('services', { unit_code: 'A', days: ['2025-05-01', null] }, '2025-04-01')).toEqual([]);
  });

  it("today is Viet Nam's calendar day", () => {
    expect(hcmToday(Date.parse('2025-03-04T17:30:00Z'))).toBe('2025-03-05');
  });

  it('gives every (unit, day) of both versions, the previous one first, however often they repeat', () => {
    const seen: string[] = [];
    eachTouched('dossiers', { unit_code: 'A', days: ['2025-03-03', null] }, { unit_code: 'A', days: ['2025-03-03', '2025-03-04'] }, '2025-12-31', (u, d) => seen.push(`${u} ${d}`));
    expect(seen).toEqual(['A 2025-03-03', 'A 2025-03-03', 'A 2025-03-04']);
  });

  it("is what migration 0050's v_data_quality reads as a record's first counted day (catalogue entries left out)", () => {
    const view = loadMigrations()
      .flatMap((m) => m.statements)
      .filter((s) => /VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?\{db\}\.v_data_quality\b/i.test(s))
      .at(-1);
    const flat = (view ?? '').replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')');
    // On a failure, add a migration that replaces v_data_quality with this expression (0050 may be applied already).
    expect(flat).toContain(firstPayloadDayTextSql(['dossiers', 'documents', 'work-records', 'payments', 'ratings']));
  });
});
