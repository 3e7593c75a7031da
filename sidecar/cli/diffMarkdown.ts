import type { AgentReview, CostReview } from '../service/diffService';
import { limitsLine, violationMessage } from './costDiffOutput';
import { cell, changesCell, peopleUsd, percentText, sides, signedPeopleUsd, tokens, volumeText } from './diffOutput';

/** How a review is written for a pull request. */
export interface MarkdownOptions {
  /** How the head is named (default: the `--head` revision, else "working tree"): "this pull request". */
  head?: string;
  /** The most characters the text may have: GitHub takes 65,536 in a comment. */
  maxLength?: number;
}

/** Agents named in the summary line, per kind of change, before "and N more". */
const namedInSummary = 3;
/** Unchanged agents named below the table. */
const namedUnchanged = 20;

/**
 * A review as a reviewer reads it: one line with the monthly change and what drove it, a line per crossed limit; then, folded,
 * the agents that changed (biggest monthly change first) before → after, and what else is worth knowing.
 */
export function reviewMarkdown(review: CostReview, options: MarkdownOptions = {}): string {
  const head = options.head ?? (review.head === null ? 'working tree' : shortRevision(review.head));
  const top = [summaryLine(review), ...review.violations.map((v) => `> **Limit crossed:** ${cell(violationMessage(v))}`)];
  const notes = notesOf(review);
  const opening = ['', `<details><summary>Per agent: ${cell(review.file)}, ${cell(shortRevision(review.base))} → ${cell(head)}</summary>`, ''];
  const closing = ['', ...notes, '', '</details>'];
  const rows = [...tableRows(review), totalRow(review)];
  const header = ['| agent | what changed | model | tokens in | tokens out | per run | per month |', '| --- | --- | --- | --: | --: | --: | --: |'];
  const fixed = [...top, ...opening, ...header, ...closing].join('\n').length + 200;
  const kept = fitting(rows.slice(0, -1), (options.maxLength ?? Number.POSITIVE_INFINITY) - fixed - rows.at(-1)!.length);
  const cut = rows.length - 1 - kept.length;
  const more = cut ? [`| … and ${cut} more agents: \`partycost diff --base ${cell(review.base)}\` lists every one | | | | | | |`] : [];
  return [...top, ...opening, ...header, ...kept, ...more, rows.at(-1)!, ...closing].join('\n');
}

/** `**Agent cost: +$0.75 a month (+5.5 %)**, $13.54 → $14.29 · changed: planner_final (output tokens)`. */
export function summaryLine(review: CostReview): string {
  const t = review.totals;
  const what = review.existedBefore ? percentText(t.perMonthDeltaPercent) : 'new configuration';
  const title = t.perMonthDeltaUsd === 0 ? '**Agent cost: no change**' : `**Agent cost: ${signedPeopleUsd(t.perMonthDeltaUsd)} a month (${what})**`;
  const amounts = t.perMonthDeltaUsd === 0 ? `${peopleUsd(t.perMonthAfter)} a month` : `${peopleUsd(t.perMonthBefore)} → ${peopleUsd(t.perMonthAfter)}`;
  return [`${title}, ${amounts}`, ...drivers(review)].join(' · ');
}

/** Which agents moved the cost, the biggest first: `changed: a (model), b (prompt) and 2 more`, `added: c`, `removed: d`. */
function drivers(review: CostReview): string[] {
  const byCost = ranked(review.agents);
  const names = (agents: AgentReview[], withChanges: boolean): string => {
    const shown = agents.slice(0, namedInSummary).map((a) => (withChanges && a.changes.length ? `${cell(a.agent)} (${cell(changesCell(a))})` : cell(a.agent)));
    return `${shown.join(', ')}${agents.length > namedInSummary ? ` and ${agents.length - namedInSummary} more` : ''}`;
  };
  const changed = byCost.filter((a) => a.status === 'changed' && a.perMonthDeltaUsd !== 0);
  const sameCost = byCost.filter((a) => a.status === 'changed' && a.perMonthDeltaUsd === 0);
  const added = byCost.filter((a) => a.status === 'added');
  const removed = byCost.filter((a) => a.status === 'removed');
  return [
    ...(changed.length ? [`changed: ${names(changed, true)}`] : []),
    ...(added.length ? [review.existedBefore ? `added: ${names(added, false)}` : `${added.length} agent${added.length === 1 ? '' : 's'} added`] : []),
    ...(removed.length ? [`removed: ${names(removed, false)}`] : []),
    // Changes at the same cost are worth a line only when nothing else changed (the table lists them all).
    ...(sameCost.length && !changed.length && !added.length && !removed.length ? [`changed at the same cost: ${names(sameCost, true)}`] : []),
  ];
}

/** The biggest monthly change first; agents that changed at no cost after those that did. */
function ranked(agents: AgentReview[]): AgentReview[] {
  return agents.filter((a) => a.status !== 'unchanged').sort((a, b) => Math.abs(b.perMonthDeltaUsd) - Math.abs(a.perMonthDeltaUsd));
}

function tableRows(review: CostReview): string[] {
  return ranked(review.agents).map((a) => {
    const name = a.crewAgent ? `${a.agent} (${a.crewAgent})` : a.agent;
    const row = [
      cell(name),
      cell(changesCell(a)),
      cell(sides(a, (s) => s.model ?? '(compute)', String)),
      sides(a, (s) => s.inputTokens, tokens(a)),
      sides(a, (s) => s.outputTokens, tokens(a)),
      sides(a, (s) => s.costPerRunUsd, peopleUsd),
      monthCell(a),
    ];
    return `| ${row.join(' | ')} |`;
  });
}

/** Changed: `$0.13 → $0.25 (+$0.13)`; added: `+$0.20`; removed: `-$0.13`. */
function monthCell(a: AgentReview): string {
  if (!a.before || !a.after) return signedPeopleUsd(a.perMonthDeltaUsd);
  if (a.perMonthDeltaUsd === 0) return peopleUsd(a.after.perMonthUsd);
  return `${peopleUsd(a.before.perMonthUsd)} → ${peopleUsd(a.after.perMonthUsd)} (${signedPeopleUsd(a.perMonthDeltaUsd)})`;
}

function totalRow(review: CostReview): string {
  const t = review.totals;
  const party = t.deltaUsd === 0 ? peopleUsd(t.perPartyAfter) : `${peopleUsd(t.perPartyBefore)} → ${peopleUsd(t.perPartyAfter)}`;
  const month =
    t.perMonthDeltaUsd === 0
      ? peopleUsd(t.perMonthAfter)
      : `${peopleUsd(t.perMonthBefore)} → ${peopleUsd(t.perMonthAfter)} (${signedPeopleUsd(t.perMonthDeltaUsd)})`;
  return `| **per party** | | | | | **${party}** | **${month}** |`;
}

/** Below the table: the unchanged agents, the stored parties it re-runs, the limits, the prices. */
function notesOf(review: CostReview): string[] {
  const unchanged = review.agents.filter((a) => a.status === 'unchanged').map((a) => cell(a.agent));
  const listed = unchanged.slice(0, namedUnchanged).join(', ') + (unchanged.length > namedUnchanged ? ` and ${unchanged.length - namedUnchanged} more` : '');
  const limits = limitsLine(review.limits, review.violations);
  return [
    ...(unchanged.length ? [`Unchanged: ${listed}.`] : []),
    ...(!review.existedBefore ? [`${cell(review.file)} is new: it did not exist at ${cell(shortRevision(review.base))}.`] : []),
    ...(review.impact ? [`Stored parties in this workspace's database: ${cell(review.impact.summary)}.`] : []),
    ...(limits ? [cell(limits)] : []),
    `Monthly figures: ${volumeText(review.volume)}. Prices: ${cell(review.prices.source)}; as of ${review.prices.date}. Estimated from the configuration, before any run.`,
  ].flatMap((line, i) => (i ? ['', line] : [line]));
}

/** The rows that fit in `room` characters, in order. */
function fitting(rows: string[], room: number): string[] {
  let used = 0;
  const kept: string[] = [];
  for (const row of rows) {
    if (used + row.length + 1 > room) break;
    used += row.length + 1;
    kept.push(row);
  }
  return kept;
}

/** A full commit id as people write it (seven digits); anything else as given. */
function shortRevision(rev: string): string {
  return /^[0-9a-f]{40}$/.test(rev) ? rev.slice(0, 7) : rev;
}
