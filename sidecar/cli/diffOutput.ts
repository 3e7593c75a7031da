import type { AgentChange, AgentReview, CostReview, ReviewSide } from '../service/diffService';
import type { Volume } from '../contract/cost';
import { change, counts, exactUsd, limitsLine, signedPercent } from './costDiffOutput';
import type { Output } from './output';
import { integer, table, usd } from './table';

/** `model, tools +search, dependencies -cake`; `added`, `removed`; `–` when nothing changed. */
export function changesCell(a: AgentReview): string {
  if (a.status === 'added' || a.status === 'removed') return a.status;
  return a.changes.length ? a.changes.map((c: AgentChange) => (c.detail ? `${c.what} ${c.detail}` : c.what)).join(', ') : '–';
}

/** `a → b` when the sides differ, else the one value; a missing side shows only the other. */
export function sides<T>(a: AgentReview, pick: (side: ReviewSide) => T, show: (value: T) => string): string {
  if (!a.before || !a.after) return show(pick((a.before ?? a.after)!));
  const [before, after] = [pick(a.before), pick(a.after)];
  return before === after ? show(before) : `${show(before)} → ${show(after)}`;
}

const modelOf = (side: ReviewSide): string => side.model ?? '(compute)';

/** A token count; `–` for a compute agent, which has none. */
export const tokens =
  (a: AgentReview) =>
  (count: number): string =>
    (a.after ?? a.before)?.model === null ? '–' : integer(count);

/** `1,000 parties a month × 2 runs`; both sides when the volume changed. */
export function volumeText(volume: { before: Volume; after: Volume }): string {
  const text = (v: Volume): string => `${integer(v.partiesPerMonth)} parties a month${v.rerunFactor === 1 ? '' : ` × ${v.rerunFactor} runs each`}`;
  const [before, after] = [text(volume.before), text(volume.after)];
  return before === after ? after : `${before} → ${after}`;
}

/** `main → working tree`: the two sides as the user named them. */
export function sidesName(review: CostReview, head = review.head ?? 'working tree'): string {
  return `${review.base} → ${head}`;
}

/** The terminal's diff: every agent before → after (model, tokens, per run, per month), then the totals. */
export function printReview(review: CostReview, out: Output): void {
  const crew = review.agents.some((a) => a.crewAgent !== undefined);
  const header = [crew ? 'task' : 'agent', ...(crew ? ['crew agent'] : []), 'what changed', 'model', 'in tok', 'out tok', 'per run', 'per month', 'month Δ'];
  const first = header.indexOf('in tok');
  const rows = review.agents.map((a) => [
    a.agent,
    ...(crew ? [a.crewAgent ?? ''] : []),
    changesCell(a),
    sides(a, modelOf, String),
    sides(a, (s) => s.inputTokens, tokens(a)),
    sides(a, (s) => s.outputTokens, tokens(a)),
    sides(a, (s) => s.costPerRunUsd, perRun),
    sides(a, (s) => s.perMonthUsd, perMonth),
    a.perMonthDeltaUsd === 0 ? '–' : signedPeopleUsd(a.perMonthDeltaUsd),
  ]);
  out.line(`Cost diff for ${review.file}: ${sidesName(review)}`);
  out.line(`Prices: ${review.prices.source}; as of ${review.prices.date}`);
  if (!review.existedBefore) out.line(`${review.base}:${review.file} does not exist: the configuration is new, every agent is added.`);
  out.line('');
  const numeric = header.map((_, i) => i >= first);
  table(header, rows, numeric).forEach((line) => out.line(line));
  out.line('');
  const t = review.totals;
  out.line(counts(review));
  out.line(`Per party: ${totalChange(t.perPartyBefore, t.perPartyAfter, t.deltaUsd, t.deltaPercent, 6)}`);
  out.line(`Per month: ${totalChange(t.perMonthBefore, t.perMonthAfter, t.perMonthDeltaUsd, t.perMonthDeltaPercent, 2)} at ${volumeText(review.volume)}`);
  if (review.impact) out.line(`Stored parties: ${review.impact.summary} (partycost impact --against ${review.base} lists them)`);
  const limits = limitsLine(review.limits, review.violations);
  if (limits) out.line(limits);
}

const perRun = (amount: number): string => usd(amount);
const perMonth = (amount: number): string => usd(amount, 2);

/** A total before → after with its change; a change too small for the decimals shown is written out exactly. */
function totalChange(before: number, after: number, delta: number, percent: number | null, decimals: number): string {
  if (delta === 0 || Math.abs(delta) >= 0.5 * 10 ** -decimals) return change(before, after, delta, percent, decimals);
  const shown = (amount: number): string => usd(amount, decimals).replace('–', '$0');
  return `${shown(before)} → ${shown(after)} (${delta > 0 ? '+' : '-'}${exactUsd(Math.abs(delta))}, ${percentText(percent)})`;
}

/** An amount for people: cents from $1 up, four significant digits below ($0.007907), `$0` for nothing. */
export function peopleUsd(amount: number): string {
  const size = Math.abs(amount);
  if (size === 0) return '$0';
  const sign = amount < 0 ? '-' : '';
  if (size >= 0.995) return `${sign}$${size.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  // Four significant digits, without the zeros after them, but whole cents: $0.007907, $0.00045, $0.50.
  const decimals = Math.min(12, 3 - Math.floor(Math.log10(size)));
  const [whole, fraction = ''] = size.toFixed(decimals).replace(/0+$/, '').split('.');
  return `${sign}$${whole}.${fraction.padEnd(2, '0')}`;
}

/** `+$0.75`, `-$0.13`. */
export function signedPeopleUsd(amount: number): string {
  return amount > 0 ? `+${peopleUsd(amount)}` : peopleUsd(amount);
}

/** A percentage change as people read it: `+5.5 %`, `+<0.1 %` for a change too small for one decimal; `new` from nothing. */
export function percentText(value: number | null): string {
  if (value === null) return 'new';
  if (value !== 0 && Math.abs(value) < 0.05) return `${value > 0 ? '+' : '-'}<0.1 %`;
  return signedPercent(value);
}

/** Markdown's table cells take no pipes, no line ends and no raw HTML. */
export function cell(text: string): string {
  return text.replace(/[\\|`*<>[\]]/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : `\\${ch}`)).replace(/\s+/g, ' ');
}
