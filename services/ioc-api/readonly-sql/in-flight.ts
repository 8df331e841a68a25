// Queries in flight per token: a token may have `limit` at once; one more is refused (429) rather than
// queued, so that one operator's script cannot hold the store.
export class InFlight {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Counts one more query of `key` and answers true, or answers false when it already has `limit`. */
  enter(key: string): boolean {
    const n = this.counts.get(key) ?? 0;
    if (n >= this.limit) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  leave(key: string): void {
    const n = (this.counts.get(key) ?? 1) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
  }
}
