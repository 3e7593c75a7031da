/**
 * How many crashes the client forgives: a sidecar that crashes `maxCrashes` times within `windowMs` is not restarted
 * again until the user asks (say 5 in 3 minutes, as language clients do).
 */
export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    readonly maxCrashes = 5,
    readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash; true if the sidecar should be restarted. */
  crashed(): boolean {
    const now = this.now();
    this.crashes = [...this.crashes.filter((at) => now - at < this.windowMs), now];
    return this.crashes.length < this.maxCrashes;
  }

  reset(): void {
    this.crashes = [];
  }
}
