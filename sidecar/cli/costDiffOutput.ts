import type { AgentCostDiff, AgentCostSide, CostDiff, CostLimits, LimitViolation } from '../contract/costDiff';
import type { Output } from './output';
import { table, usd } from './table';

/** Where the two sides of a diff came from, for the headings. */
export interface DiffSource {
  /** The configuration as shown to the user (relative to where they are). */
  file: string;
  /** The revision as the user wrote it (`--against`). */
  against: string;
  /** `REV:path`, the path relative to the repository root. */
  beforeName: string;
  /** False when the file did not exist at the revision: every agent is new. */
  existedBefore: boolean;
  prices: { source: string; date: string; overridden: string[] };
}

/** An amount with at least six decimals and as many more (up to twelve) as it needs to be shown exactly. */
export function exactUsd(amount: number): string {
  if (amount === 0) return '$0';
  for (let decimals = 6; decimals < 12; decimals++) {
    if (Number(amount.toFixed(decimals)) === amount) return `$${amount.toFixed(decimals)}`;
  }
  return `$${amount.toFixed(12)}`;
}

/** `+$0.000845`, `-$0.000100`; `–` for no change. */
export function signedUsd(amount: number, decimals = 6): string {
  if (amount === 0) return '–';
  return `${amount > 0 ? '+' : '-'}$${Math.abs(amount).toFixed(decimals)}`;
}

/** `+9.4 %`, `-12.0 %`, with more decimals when one would hide the difference from `unlike` (a limit). */
export function signedPercent(value: number, unlike?: number): string {
  let decimals = 1;
  while (unlike !== undefined && decimals < 6 && Number(value.toFixed(decimals)) === unlike && value !== unlike) decimals++;
  return `${value >= 0 ? '+' : '-'}${Math.abs(value).toFixed(decimals)} %`;
}

function modelCell(s: AgentCostSide | null): string {
  if (!s) return '–';
  return s.model ?? '(compute)';
}

function percentCell(a: AgentCostDiff): string {
  if (a.status === 'added') return 'new';
  if (a.status === 'removed') return 'removed';
  return a.deltaPercent === null || a.deltaPercent === 0 ? '–' : signedPercent(a.deltaPercent);
}

function agentRow(a: AgentCostDiff): string[] {
  const perRun = (s: AgentCostSide | null): string => (s ? usd(s.costPerRunUsd) : '–');
  return [a.agent, modelCell(a.before), modelCell(a.after), perRun(a.before), perRun(a.after), signedUsd(a.deltaUsd), percentCell(a)];
}

/** `$0.009025 → $0.009870 (+$0.000845, +9.4 %)`: a total before and after, with its change. */
export function change(before: number, after: number, delta: number, deltaPercent: number | null, decimals: number): string {
  const sides = `${usd(before, decimals).replace('–', '$0')} → ${usd(after, decimals).replace('–', '$0')}`;
  if (delta === 0) return `${sides} (no change)`;
  const percent = deltaPercent === null ? 'new' : signedPercent(deltaPercent);
  return `${sides} (${signedUsd(delta, decimals)}, ${percent})`;
}

export function counts(diff: Pick<CostDiff, 'agents'>): string {
  const count = (status: AgentCostDiff['status']): number => diff.agents.filter((a) => a.status === status).length;
  const changed = count('changed');
  return `${changed} agent${changed === 1 ? '' : 's'} changed, ${count('added')} added, ${count('removed')} removed, ${count('unchanged')} unchanged`;
}

/** The human diff: per-agent table, then the per-party and per-month lines. */
export function printCostDiff(diff: CostDiff, source: DiffSource, out: Output): void {
  const header = ['agent', 'before model', 'after model', 'before per run', 'after per run', 'change', '%'];
  const numeric = [false, false, false, true, true, true, true];
  const { totals } = diff;
  const rows = diff.agents.map(agentRow);
  if (totals.orchestrationBefore !== totals.orchestrationAfter) {
    rows.push(['orchestration', '', '', usd(totals.orchestrationBefore), usd(totals.orchestrationAfter), signedUsd(totals.orchestrationDeltaUsd), '']);
  }
  out.line(`Cost diff for ${source.file}: ${source.against} → working tree`);
  out.line(`Prices: ${source.prices.source}; as of ${source.prices.date}`);
  if (!source.existedBefore) out.line(`${source.beforeName} does not exist: the configuration is new, every agent is added.`);
  out.line('');
  table(header, rows, numeric).forEach((line) => out.line(line));
  out.line('');
  out.line(counts(diff));
  out.line(`Per party: ${change(totals.perPartyBefore, totals.perPartyAfter, totals.deltaUsd, totals.deltaPercent, 6)}`);
  out.line(`Per month: ${change(totals.perMonthBefore, totals.perMonthAfter, totals.perMonthDeltaUsd, totals.perMonthDeltaPercent, 2)}`);
}

const flags: Record<LimitViolation['limit'], string> = { maxPerPartyUsd: '--max-per-party', maxIncreasePercent: '--max-increase' };

/** One sentence per crossed limit (without the `partycost: ` prefix). */
export function violationMessage(v: LimitViolation): string {
  if (v.limit === 'maxPerPartyUsd') {
    return `per-party cost ${exactUsd(v.actual)} is over the limit of ${exactUsd(v.allowed)} (--max-per-party)`;
  }
  const rise =
    v.actual === null
      ? `rose from $0 to ${exactUsd(v.perPartyAfter)}`
      : `rose by ${signedPercent(v.actual, v.allowed).slice(1)} (${exactUsd(v.perPartyBefore)} → ${exactUsd(v.perPartyAfter)})`;
  return `per-party cost ${rise}, over the limit of ${v.allowed} % (--max-increase)`;
}

/** The violations as `--json` shows them: the amounts, the flag and the sentence. */
export function violationsJson(violations: LimitViolation[]): Array<LimitViolation & { flag: string; message: string }> {
  return violations.map((v) => ({ ...v, flag: flags[v.limit], message: violationMessage(v) }));
}

/** `Limits: --max-per-party $0.009000 crossed; --max-increase 10 % ok`, or nothing when no limit was given. */
export function limitsLine(limits: CostLimits, violations: LimitViolation[]): string | undefined {
  const crossed = new Set(violations.map((v) => v.limit));
  const parts: string[] = [];
  if (limits.maxPerPartyUsd !== null) parts.push(`--max-per-party ${exactUsd(limits.maxPerPartyUsd)} ${crossed.has('maxPerPartyUsd') ? 'crossed' : 'ok'}`);
  if (limits.maxIncreasePercent !== null) parts.push(`--max-increase ${limits.maxIncreasePercent} % ${crossed.has('maxIncreasePercent') ? 'crossed' : 'ok'}`);
  return parts.length ? `Limits: ${parts.join('; ')}` : undefined;
}
