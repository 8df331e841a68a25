// The ingestion ledger's state changes (connectors/ledger.ts): running -> succeeded | failed, once;
// the rows a run writes, the counts they carry, the reason kept when the final row cannot be
// produced, and which failed runs still wait for a replay.
import { describe, expect, it } from 'vitest';
import {
  awaitingReplay,
  canMove,
  endOfReading,
  failedBy,
  finalRow,
  finishMs,
  LedgerTransitionError,
  move,
  type RunIdentity,
  runningRow,
  type RunStatus,
  unrecorded,
} from '../../connectors/ledger.ts';
import { ChisoError } from '../../lib/errors.ts';
import { runMessage } from '../../schemas/events.ts';
import { MAX_LENGTH } from '../../schemas/limits.ts';

const run: RunIdentity = { runId: 'run-1', source: 'one-stop-shop', entity: 'dossiers', origin: '/exports/ho-so.csv' };
const STARTED = '2026-03-01T08:00:00.000+07:00';
const FINISHED = '2026-03-01T08:00:01.500+07:00';
const counts = { read: 5, accepted: 3, rejected: 2 };
const STATUSES: (RunStatus | null)[] = [null, 'running', 'succeeded', 'failed'];

describe('the ledger status transitions', () => {
  const legal: [RunStatus | null, RunStatus][] = [
    [null, 'running'],
    ['running', 'succeeded'],
    ['running', 'failed'],
  ];

  it.each(legal)('%s -> %s is allowed', (from, to) => {
    expect(canMove(from, to)).toBe(true);
    expect(move(from, to)).toBe(to);
  });

  const illegal = STATUSES.flatMap((from) => (['running', 'succeeded', 'failed'] as const).map((to) => [from, to] as [RunStatus | null, RunStatus])).filter(
    ([from, to]) => !legal.some(([f, t]) => f === from && t === to),
  );

  it('every other pair is refused (nine of twelve)', () => {
    expect(illegal).toHaveLength(9);
  });

  it.each(illegal)('%s -> %s is refused, saying what was expected', (from, to) => {
    expect(canMove(from, to)).toBe(false);
    expect(() => move(from, to)).toThrow(LedgerTransitionError);
    try {
      move(from, to);
    } catch (e) {
      expect(e).toBeInstanceOf(ChisoError);
      expect((e as ChisoError).code).toBe('LEDGER_TRANSITION');
      expect((e as ChisoError).retriable).toBe(false);
      expect((e as Error).message).toMatch(/expected /);
    }
  });

  it('a final status names the way out: a replay', () => {
    expect(() => move('failed', 'running')).toThrow(/replay the run instead/);
    expect(() => move('succeeded', 'failed')).toThrow(/a final status never changes/);
  });

  it('a run with no row yet can only start', () => {
    expect(() => move(null, 'succeeded')).toThrow(/from no row to succeeded: expected running/);
  });
});

describe('the rows a run writes', () => {
  it('starts running, with nothing counted and no finish', () => {
    const r = runningRow(run, STARTED);
    expect(runMessage.parse(r)).toEqual(r);
    expect(r).toMatchObject({ run_id: 'run-1', status: 'running', read: 0, accepted: 0, rejected: 0, error: '', replay_of: '', finished_at: null, updated_at: STARTED, started_at: STARTED });
  });

  it('ends with its final status, counts and produced offsets, stamped at its finish', () => {
    const r = finalRow(run, STARTED, { status: 'succeeded', error: '' }, counts, FINISHED, { 'chiso.one-stop-shop.v1:0': '41' });
    expect(runMessage.parse(r)).toEqual(r);
    expect(r).toMatchObject({ status: 'succeeded', ...counts, started_at: STARTED, finished_at: FINISHED, updated_at: FINISHED, produced_offsets: { 'chiso.one-stop-shop.v1:0': '41' } });
    expect(r.read).toBe(r.accepted + r.rejected);
  });

  it('a failed run keeps its reason, cut to the schema limit', () => {
    const long = 'x'.repeat(MAX_LENGTH.reason + 100);
    const r = finalRow(run, STARTED, failedBy(long, { code: 'E', retriable: true }), counts, FINISHED, {});
    expect(r.status).toBe('failed');
    expect(r.error.length).toBeLessThanOrEqual(MAX_LENGTH.reason);
    expect(runMessage.safeParse(r).success).toBe(true);
  });

  it('a replay names the run it replays, in both rows', () => {
    const replay = { ...run, runId: 'run-2', replayOf: 'run-1' };
    expect(runningRow(replay, STARTED).replay_of).toBe('run-1');
    expect(finalRow(replay, STARTED, { status: 'succeeded', error: '' }, counts, FINISHED, {}).replay_of).toBe('run-1');
  });

  it('a final row cannot say running', () => {
    expect(() => finalRow(run, STARTED, { status: 'running' as 'succeeded', error: '' }, counts, FINISHED, {})).toThrow(LedgerTransitionError);
  });

  it('the final row is stamped strictly after the start, so it replaces the running one', () => {
    expect(finishMs(1000, 1000)).toBe(1001);
    expect(finishMs(1000, 999)).toBe(1001);
    expect(finishMs(1000, 2500)).toBe(2500);
  });
});

describe('how a run ends', () => {
  it('succeeds when its records were read and produced', () => {
    expect(endOfReading(run.origin, counts, 0)).toEqual({ status: 'succeeded', error: '' });
    expect(endOfReading(run.origin, counts, 4)).toEqual({ status: 'succeeded', error: '' });
  });

  it('an empty export succeeds with nothing read', () => {
    expect(endOfReading(run.origin, { read: 0, accepted: 0, rejected: 0 }, 0).status).toBe('succeeded');
  });

  it('fails, not to be retried, when no record it read was UTF-8 text', () => {
    const end = endOfReading(run.origin, { read: 2, accepted: 0, rejected: 2 }, 2);
    expect(end.status).toBe('failed');
    expect(end.failure).toEqual({ code: 'UNDECODABLE_FILE', retriable: false });
    expect(end.error).toContain('/exports/ho-so.csv');
    expect(end.error).toContain('UTF-8');
  });

  it('fails with the failure of what could not be read or produced', () => {
    expect(failedBy('broker down', { code: 'KAFKA', retriable: true })).toEqual({ status: 'failed', error: 'broker down', failure: { code: 'KAFKA', retriable: true } });
  });

  it('a succeeded run whose final row cannot be produced becomes failed, saying so', () => {
    const end = unrecorded({ status: 'succeeded', error: '' }, 'timeout', { code: 'KafkaJSError', retriable: true });
    expect(end).toEqual({ status: 'failed', error: 'the run ledger could not be produced: timeout', failure: { code: 'KafkaJSError', retriable: true } });
  });

  it('a failed run whose final row cannot be produced keeps its first reason and failure', () => {
    const first = failedBy('the file is gone', { code: 'UNREADABLE_FILE', retriable: false });
    expect(unrecorded(first, 'timeout', { code: 'KafkaJSError', retriable: true })).toEqual(first);
  });
});

describe('which failed runs wait for a replay', () => {
  it('a failed run waits until a succeeded run replays it; oldest first', () => {
    // GET /runs lists the newest first.
    const runs = [
      { run_id: 'r5', status: 'failed', replay_of: 'r1' },
      { run_id: 'r4', status: 'succeeded', replay_of: 'r2' },
      { run_id: 'r3', status: 'failed', replay_of: '' },
      { run_id: 'r2', status: 'failed', replay_of: '' },
      { run_id: 'r1', status: 'failed', replay_of: '' },
      { run_id: 'r0', status: 'running', replay_of: '' },
    ];
    // r2 was replayed by r4; r1's replay r5 failed too, so both r1 and r5 wait; r0 has not ended.
    expect(awaitingReplay(runs)).toEqual(['r1', 'r3', 'r5']);
  });

  it('nothing waits in a ledger with no failed run', () => {
    expect(awaitingReplay([{ run_id: 'a', status: 'succeeded', replay_of: '' }])).toEqual([]);
    expect(awaitingReplay([])).toEqual([]);
  });
});
