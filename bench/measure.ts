import { performance } from 'node:perf_hooks';

/** Median milliseconds of `runs` calls after `warmup` unmeasured ones. */
export function medianMs(fn: () => unknown, runs = 15, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const times = Array.from({ length: runs }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  }).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function report(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

/**
 * A deterministic pseudo-random generator, so every run measures the same work: a linear congruential generator
 * whose high bits pick the number (its low bits repeat with short periods: `seed % 10` cycles through few values).
 */
export function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n);
  };
}

/** A goal for a figure: the comparison it must pass, e.g. `<= 2` or `>= 0.5`. */
export type Goal = `${'<' | '<=' | '>' | '>='} ${number}`;

/** One measured figure, as `npm run bench -- --json FILE` writes it. */
export interface Figure {
  group: string;
  name: string;
  value: number;
  unit: string;
  goal?: Goal;
  met?: boolean;
}

const figures: Figure[] = [];
let currentGroup = '';

/** The group the following figures belong to (the name `--only` selects). */
export function startGroup(name: string): void {
  currentGroup = name;
}

/** Records a figure (and whether it meets its goal); returns the value, so it can be printed as it is recorded. */
export function figure(name: string, value: number, unit: string, goal?: Goal): number {
  const entry: Figure = { group: currentGroup, name, value: Number(value.toPrecision(6)), unit };
  if (goal) {
    const [op, bound] = goal.split(' ') as [string, string];
    const limit = Number(bound);
    entry.goal = goal;
    entry.met = op === '<' ? value < limit : op === '<=' ? value <= limit : op === '>' ? value > limit : value >= limit;
  }
  figures.push(entry);
  return value;
}

/** What a goal's verdict reads like beside a printed figure. */
export function verdict(goal: Goal, value: number): string {
  const [op, bound] = goal.split(' ') as [string, string];
  const met = op === '<' ? value < Number(bound) : op === '<=' ? value <= Number(bound) : op === '>' ? value > Number(bound) : value >= Number(bound);
  return `goal ${op.replace('<=', '≤').replace('>=', '≥')} ${bound}: ${met ? 'met' : 'NOT MET'}`;
}

export function recordedFigures(): Figure[] {
  return [...figures];
}
