// What stops the local stack when the command that brought it up is told to stop: Ctrl-C, SIGTERM,
// SIGHUP, and a closed output. `npm start | tee log` then Ctrl-C: the terminal's SIGINT reaches npm,
// chiso and tee together; tee is gone first, so the next line chiso writes fails with EPIPE, which
// would kill chiso halfway through stopping and leave the broker, Temporal and the chiso process
// (each in its own process group, out of reach of the terminal's signal) running. Here the first
// signal or EPIPE runs the stop once, later ones are absorbed, output errors never throw, and no
// new process may start once stopping began (infra/process.ts refuseNewProcesses).
import { refuseNewProcesses } from '../../infra/process.ts';
import { errorMessage } from '../../lib/errors.ts';

export interface StopGuard {
  /** Resolves with what asked the stop (SIGINT, SIGTERM, SIGHUP, EPIPE, or a given reason) once onStop is done. */
  readonly stopped: Promise<string>;
  /** Asks the stop from within (the chiso process died): the same path as a signal. */
  stop(reason: string): void;
  /** Serving: a stop then ends the caller's wait instead of exiting the process with 130. */
  hold(): void;
  /**
   * Runs the start-up steps. When one fails because a stop was asked (the broker it waited for was
   * just stopped), the failure waits for the stop to finish: the command must not exit halfway.
   */
  during<T>(steps: () => Promise<T>): Promise<T>;
}

let installed: StopGuard | undefined;

/** A line on stderr that cannot fail (stderr may be the closed pipe as well). */
function note(line: string): void {
  try {
    process.stderr.write(line);
  } catch {
    /* nowhere to say it */
  }
}

/**
 * Installs the guard once per process (later calls return the first one, with its onStop). Until
 * hold() a stop ends the process (exit code 130) once onStop has finished: the command was still
 * bringing the stack up, and whatever it was waiting for is moot.
 */
export function guardStop(onStop: () => Promise<void>): StopGuard {
  if (installed) return installed;
  let holding = false;
  let asked = false;
  let done: (why: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (done = resolve));
  const stop = (why: string) => {
    if (asked) return;
    asked = true;
    refuseNewProcesses();
    note('Đang dừng / stopping…\n');
    void onStop()
      .catch((e: unknown) => note(`chiso: stopping failed: ${errorMessage(e)}\n`))
      .then(() => {
        done(why);
        if (!holding) process.exit(130);
      });
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stop(sig));
  for (const out of [process.stdout, process.stderr]) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      // A reader that went away (EPIPE) is a stop; any other output error is only noted.
      if (e.code === 'EPIPE') stop('EPIPE');
      else if (out !== process.stderr) note(`chiso: output error: ${e.message}\n`);
    });
  }
  installed = {
    stopped,
    stop,
    hold: () => {
      holding = true;
    },
    async during(steps) {
      try {
        return await steps();
      } catch (e) {
        if (asked) await stopped;
        throw e;
      }
    },
  };
  return installed;
}
