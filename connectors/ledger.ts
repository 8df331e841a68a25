// The ingestion ledger's rule (chiso.runs.v1 -> ingest_runs). A run writes two rows: `running` when it
// starts, with no counts, and its final status when it ends, with read, accepted and rejected. The
// table keeps the row with the latest updated_at, so the final row is stamped strictly after the
// start and always replaces the `running` one. running -> succeeded | failed, once: a final status
// never changes again; trying again is a new run whose replay_of names the old one, and a failed run
// stays to be replayed until a succeeded run replays it.
// Pure: no I/O. connectors/run.ts produces the rows made here.
import type { EntityName, RunMessage, SourceId } from '../schemas/events.ts';
import { cut, MAX_LENGTH } from '../schemas/limits.ts';
import { ChisoError } from '../lib/errors.ts';

export type RunStatus = RunMessage['status'];
export type FinalStatus = Exclude<RunStatus, 'running'>;

export interface RunCounts {
  read: number;
  accepted: number;
  rejected: number;
}

/** What failed, and whether trying the same run again can help (Temporal's retry policy reads it). */
export interface RunFailure {
  code: string;
  retriable: boolean;
}

/** The run a ledger row is about. */
export interface RunIdentity {
  runId: string;
  source: SourceId;
  entity: EntityName;
  /** A file path, or URL + window. */
  origin: string;
  /** The run this one replays; '' or absent for a first run. */
  replayOf?: string;
}

/** How a run ends: the final status, its reason, and (when failed) the failure's code. */
export interface RunEnd {
  status: FinalStatus;
  error: string;
  failure?: RunFailure;
}

/** Which statuses may follow each one; `null` is a run with no ledger row yet. */
const NEXT: ReadonlyMap<RunStatus | null, readonly RunStatus[]> = new Map<RunStatus | null, readonly RunStatus[]>([
  [null, ['running']],
  ['running', ['succeeded', 'failed']],
  ['succeeded', []],
  ['failed', []],
]);

/** A ledger row that would move a run where it may not go (a programming error, never bad data). */
export class LedgerTransitionError extends ChisoError {
  override readonly name = 'LedgerTransitionError';
  constructor(from: RunStatus | null, to: RunStatus) {
    const allowed = NEXT.get(from) ?? [];
    super(
      `the ingestion ledger cannot go from ${from ?? 'no row'} to ${to}: expected ${allowed.length > 0 ? allowed.join(' or ') : 'nothing (a final status never changes; replay the run instead)'}`,
      'LEDGER_TRANSITION',
      false,
      { from, to },
    );
  }
}

export function canMove(from: RunStatus | null, to: RunStatus): boolean {
  return (NEXT.get(from) ?? []).includes(to);
}

/** `to`, when a run at `from` may go there; otherwise a LedgerTransitionError. */
export function move(from: RunStatus | null, to: RunStatus): RunStatus {
  if (!canMove(from, to)) throw new LedgerTransitionError(from, to);
  return to;
}

const ZERO: RunCounts = { read: 0, accepted: 0, rejected: 0 };

function row(run: RunIdentity, startedAt: string, status: RunStatus, counts: RunCounts, error: string, finishedAt: string | null): RunMessage {
  return {
    run_id: run.runId,
    source: run.source,
    entity: run.entity,
    origin: run.origin,
    started_at: startedAt,
    finished_at: finishedAt,
    status,
    read: counts.read,
    accepted: counts.accepted,
    rejected: counts.rejected,
    error: cut(error, MAX_LENGTH.reason),
    replay_of: run.replayOf ?? '',
    updated_at: finishedAt ?? startedAt,
    produced_offsets: {},
  };
}

/** The first row of a run: `running`, nothing counted, not finished. */
export function runningRow(run: RunIdentity, startedAt: string): RunMessage {
  return row(run, startedAt, move(null, 'running'), ZERO, '', null);
}

/** The last row of a run: its final status and counts, stamped at its finish (see finishMs). */
export function finalRow(run: RunIdentity, startedAt: string, end: RunEnd, counts: RunCounts, finishedAt: string, producedOffsets: Record<string, string>): RunMessage {
  return { ...row(run, startedAt, move('running', end.status), counts, end.error, finishedAt), produced_offsets: producedOffsets };
}

/** Strictly after the start, so that the final row always replaces the `running` one. */
export function finishMs(startMs: number, nowMs: number): number {
  return Math.max(nowMs, startMs + 1);
}

/**
 * How a run whose records were all read and produced ends: `succeeded`, unless it read records and
 * none of them was valid UTF-8 text (an export in another encoding: retrying cannot help).
 */
export function endOfReading(origin: string, counts: RunCounts, undecodable: number): RunEnd {
  if (counts.read > 0 && undecodable === counts.read) {
    return {
      status: 'failed',
      error: `${origin}: no record is valid UTF-8 text (an export in another encoding, such as Windows-1258 or TCVN3?): save it as UTF-8 and ingest it again`,
      failure: { code: 'UNDECODABLE_FILE', retriable: false },
    };
  }
  return { status: 'succeeded', error: '' };
}

/** A run whose records could not be read or produced ends `failed`, never `succeeded`. */
export function failedBy(error: string, failure: RunFailure): RunEnd {
  return { status: 'failed', error, failure };
}

/**
 * The final row could not be produced: the run cannot claim success. An earlier reason and failure
 * are kept; this one is said only when there was none.
 */
export function unrecorded(end: RunEnd, error: string, failure: RunFailure): RunEnd {
  return {
    status: 'failed',
    error: end.error || `the run ledger could not be produced: ${error}`,
    failure: end.failure ?? failure,
  };
}

/** The ledger fields a replay decision reads (the runs of GET /runs). */
export interface LedgerEntry {
  run_id: string;
  status: string;
  replay_of: string;
}

/** Failed runs that no succeeded run has replayed yet, oldest first (the ledger lists newest first). */
export function awaitingReplay(runs: readonly LedgerEntry[]): string[] {
  const replayed = new Set(runs.filter((x) => x.status === 'succeeded' && x.replay_of).map((x) => x.replay_of));
  return runs.filter((x) => x.status === 'failed' && !replayed.has(x.run_id)).map((x) => x.run_id).reverse();
}
