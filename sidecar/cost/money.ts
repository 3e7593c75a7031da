/**
 * Money in picodollars (1e-12 USD) as bigint, so sums are exact: $0.15 per 1M tokens is 150,000 pUSD per token,
 * and 500 × 150,000 + 300 × 600,000 pUSD prints as exactly 0.000255.
 */
export type Pico = bigint;

const picoPerUsd = 1e12;

/** The cost of `tokens` at `usdPerMillion` USD per 1M tokens. */
export function tokenCost(tokens: number, usdPerMillion: number): Pico {
  return BigInt(Math.round(tokens)) * BigInt(Math.round(usdPerMillion * 1e6));
}

/** The cost of `units` (possibly fractional, e.g. compute seconds) at `usdPerUnit`. */
export function unitCost(units: number, usdPerUnit: number): Pico {
  return BigInt(Math.round(units * Math.round(usdPerUnit * picoPerUsd)));
}

/** Scales by a non-integer factor (parties per month × re-run factor) at micro precision, rounding half up. */
export function scale(amount: Pico, factor: number): Pico {
  const micro = BigInt(Math.round(factor * 1e6));
  return (amount * micro + 500_000n) / 1_000_000n;
}

export function sum(amounts: Iterable<Pico>): Pico {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
}

/** An amount in USD (exact to the picodollar, as estimates are) back in picodollars. */
export function fromUsd(usd: number): Pico {
  return BigInt(Math.round(usd * picoPerUsd));
}

export function toUsd(amount: Pico): number {
  return Number(amount) / picoPerUsd;
}

/** A sum of USD amounts rid of floating-point dust below the picodollar. */
export function roundUsd(usd: number): number {
  return Math.round(usd * picoPerUsd) / picoPerUsd;
}
