import type { Clock } from './driver';
import type { BreakerState } from '../contract/cache';

/**
 * A circuit breaker on consecutive failures: open after `threshold` in a row, so calls skip the tier at no cost;
 * after `cooldownMs` one trial call is let through (half-open); its success closes the breaker, its failure reopens it.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  state: BreakerState = 'closed';

  constructor(
    private readonly threshold = 3,
    private readonly cooldownMs = 2_000,
    private readonly now: Clock = Date.now,
  ) {}

  /** Whether a call may go to the tier now. */
  allows(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && this.now() - this.openedAt >= this.cooldownMs) this.state = 'half-open';
    if (this.state === 'half-open' && !this.trialInFlight) return (this.trialInFlight = true);
    return false;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.state = 'closed';
  }

  /** Opens now: the tier is known to be unreachable (a probe failed), so calls skip it until the cool-down. */
  trip(): void {
    this.failures = this.threshold;
    this.trialInFlight = false;
    this.state = 'open';
    this.openedAt = this.now();
  }

  failure(): void {
    this.failures++;
    this.trialInFlight = false;
    if (this.state === 'half-open' || this.failures >= this.threshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }
}
