import type { CostLimits, LimitViolation } from '../contract/costDiff';
import { configWarnings } from '../service/configService';
import { configAtHead, costReview } from '../service/diffService';
import type { CostReview } from '../service/diffService';
import { decimalFlag } from './args';
import type { CliArgs } from './args';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { violationMessage, violationsJson } from './costDiffOutput';
import { reviewMarkdown } from './diffMarkdown';
import { printReview } from './diffOutput';
import { CliError, exitCodes } from './errors';

const formats = ['table', 'json', 'markdown'] as const;
type Format = (typeof formats)[number];

/** What a review compares and guards: the two revisions and the limits. */
export interface ReviewOptions {
  base: string;
  head?: string;
  limits: CostLimits;
}

/**
 * `partycost diff --base REV [--head REV] [--format table|json|markdown] [--max-increase PERCENT] [--max-per-party USD]`:
 * every agent before → after, what changed in it, the monthly change, and what it re-runs in the stored parties; a
 * crossed limit prints the result as usual, then one line per violation on stderr, and exits 1.
 */
export function diffCommand(ctx: CommandContext): void {
  const { args, out } = ctx;
  if (args.positionals.length) throw new CliError(`partycost: usage: partycost ${diffUsage}`, exitCodes.usage);
  const options = reviewOptions(args);
  const format = formatOf(args);
  const review = reviewOf(ctx, options);
  if (format === 'json') out.json(reviewJson(review));
  else if (format === 'markdown') out.line(reviewMarkdown(review));
  else printReview(review, out);
  failOnViolations(review.violations);
}

const diffUsage = 'diff --base REV [--head REV] [--format table|json|markdown] [--max-increase PERCENT] [--max-per-party USD]';

/** The review as `--json` gives it: the violations with their flag and sentence. */
export function reviewJson(review: CostReview): object {
  return { ...review, violations: violationsJson(review.violations) };
}

/** `--base` (required), `--head`, and the limits, or a usage error. */
export function reviewOptions(args: CliArgs): ReviewOptions {
  const base = revisionOf(args, 'base');
  if (base === undefined) throw new CliError('partycost: --base REV is required: the revision to compare with (e.g. origin/main)', exitCodes.usage);
  const head = revisionOf(args, 'head');
  return {
    base,
    ...(head === undefined ? {} : { head }),
    limits: { maxPerPartyUsd: decimalFlag(args, 'max-per-party', '$') ?? null, maxIncreasePercent: decimalFlag(args, 'max-increase', '%') ?? null },
  };
}

function revisionOf(args: CliArgs, name: 'base' | 'head'): string | undefined {
  const value = args.flags[name];
  if (value === undefined) return undefined;
  const rev = String(value);
  // A revision never starts with "-"; refusing one keeps it from being read by git as an option.
  if (rev.trim() === '' || rev.startsWith('-')) {
    throw new CliError(`partycost: --${name} takes a git revision (a branch, tag or commit, e.g. origin/main), not "${rev}"`, exitCodes.usage);
  }
  return rev;
}

function formatOf(args: CliArgs): Format {
  const value = args.flags.format;
  if (value === undefined) return args.json ? 'json' : 'table';
  if (!formats.includes(value as Format)) throw new CliError(`partycost: --format takes table, json or markdown, not "${String(value)}"`, exitCodes.usage);
  if (args.json && value !== 'json') throw new CliError(`partycost: --json and --format ${String(value)} ask for two formats; give one`, exitCodes.usage);
  return value as Format;
}

/** The review of the head (the working tree's configuration, or the one at `--head`) against the base. */
export function reviewOf(ctx: CommandContext, options: ReviewOptions): CostReview {
  const head = options.head === undefined ? requireConfig(ctx) : configAtHead(ctx.ws, options.head);
  if (options.head !== undefined) configWarnings(head).forEach((line) => ctx.out.warn(line));
  return costReview(ctx.ws, head, options);
}

/** Exit 1 with one stderr line per crossed limit, after the result was printed (and posted). */
export function failOnViolations(violations: LimitViolation[]): void {
  if (violations.length === 0) return;
  const lines = violations.map((v) => `partycost: ${violationMessage(v)}`);
  throw new CliError(lines.at(-1)!, exitCodes.failure, lines.slice(0, -1));
}
