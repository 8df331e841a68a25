// A stop signal that arrives while the chiso process is still loading its modules (a container
// stopped right after it started): noted here, by a module light enough to load first, so that the
// process stops as soon as it can instead of dying half-started or ignoring it.
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
let received: string | undefined;
const note = (signal: string) => {
  received ??= signal;
};

/** Starts noting SIGTERM / SIGINT; `takeEarlySignal` ends it. */
export function watchEarlySignals(): void {
  for (const s of SIGNALS) process.on(s, note);
}

/** The first signal noted since watchEarlySignals, if any; stops noting. */
export function takeEarlySignal(): string | undefined {
  for (const s of SIGNALS) process.off(s, note);
  return received;
}
