import type { SpendTrend } from '../contract/accuracy';
import type { AgentEstimate, Estimate, RightSizing } from '../contract/cost';
import { driftLimitPercent } from '../contract/cost';
import type { CostLimits, LimitViolation } from '../contract/costDiff';
import { diffAgainst, estimateReport } from '../service/estimateService';
import { decimalFlag } from './args';
import type { CliArgs } from './args';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { limitsLine, printCostDiff, violationMessage, violationsJson } from './costDiffOutput';
import { CliError, exitCodes } from './errors';
import type { Output } from './output';
import { integer, table, usd } from './table';

/**
 * `partycost estimate [--config FILE] [--json] [--against REV] [--max-per-party USD] [--max-increase PERCENT]`:
 * cost per agent, per party and per month; with `--against`, before (the file at a git revision) and after (the
 * file on disk); a crossed limit prints the result as usual, then one line per violation on stderr, and exits 1.
 */
export function estimateCommand(ctx: CommandContext): void {
  const { args, out, ws } = ctx;
  const against = revisionFlag(args);
  const limits: CostLimits = {
    maxPerPartyUsd: decimalFlag(args, 'max-per-party', '$') ?? null,
    maxIncreasePercent: decimalFlag(args, 'max-increase', '%') ?? null,
  };
  if (limits.maxIncreasePercent !== null && against === undefined) {
    throw new CliError('partycost: --max-increase needs --against REV, the revision to compare with', exitCodes.usage);
  }
  const loaded = requireConfig(ctx);
  const shown = loaded.file;
  if (against === undefined) {
    const { estimate: result, rightSizing, trend, violations } = estimateReport(ws, loaded, limits);
    const limited = limits.maxPerPartyUsd !== null;
    const withTrend = trend ? { ...result, actualSpend: trend } : result;
    if (args.json) out.json(limited ? { ...withTrend, rightSizing, limits, violations: violationsJson(violations) } : { ...withTrend, rightSizing });
    else {
      printEstimate(result, shown, out);
      learningLines(result, trend).forEach((line) => out.line(line));
      productionLines(result).forEach((line) => out.line(line));
      rightSizingLines(rightSizing).forEach((line) => out.line(line));
      const line = limitsLine(limits, violations);
      if (line) out.line(line);
    }
    failOn(violations);
    return;
  }

  const { old, diff, violations, after } = diffAgainst(ws, loaded, against, limits);
  if (args.json) {
    out.json({ against, file: old.repoPath, existedBefore: old.text !== null, ...diff, limits, violations: violationsJson(violations) });
  } else {
    printCostDiff(diff, { file: shown, against, beforeName: old.name, existedBefore: old.text !== null, prices: after.prices }, out);
    const line = limitsLine(limits, violations);
    if (line) out.line(line);
  }
  failOn(violations);
}

/** Exit 1 with one stderr line per crossed limit, after the result was printed. */
function failOn(violations: LimitViolation[]): void {
  if (violations.length === 0) return;
  const lines = violations.map((v) => `partycost: ${violationMessage(v)}`);
  throw new CliError(lines.at(-1)!, exitCodes.failure, lines.slice(0, -1));
}

export function revisionFlag(args: CliArgs): string | undefined {
  const value = args.flags.against;
  if (value === undefined) return undefined;
  const rev = String(value);
  // A revision never starts with "-"; refusing one keeps it from being read by git as an option.
  if (rev.trim() === '' || rev.startsWith('-')) {
    throw new CliError(`partycost: --against takes a git revision (a branch, tag or commit, e.g. origin/main), not "${rev}"`, exitCodes.usage);
  }
  return rev;
}

const tokenMarks: Record<AgentEstimate['tokenCount'], string> = { counted: '', approximate: '~', calibrated: '≈', declared: '*', learned: '‡', none: '' };

/** Whether any agent runs as a loop of calls: the table then has a column of calls per run. */
function loops(result: Estimate): boolean {
  return result.agents.some((a) => a.callsPerRun.p90 > 1);
}

function agentRow(a: AgentEstimate, withCalls: boolean): string[] {
  const tokens = (n: number, mark = ''): string => (a.kind === 'compute' ? '–' : `${mark}${integer(n)}`);
  const { llm, vector, compute, cache, sql } = a.breakdown;
  const tier = `${a.tierAbove ? '†' : ''}${a.batch ? 'ᴮ' : ''}`;
  return [
    a.agent,
    a.model ?? '(compute)',
    a.local ? 'local' : (a.provider ?? ''),
    tokens(a.inputTokens, tokenMarks[a.tokenCount]),
    tokens(a.outputTokens, a.outputTokensSource === 'learned' ? '‡' : ''),
    ...(withCalls ? [a.kind === 'compute' ? '–' : `${a.callsPerRun.source === 'assumed' ? '~' : ''}${a.callsPerRun.p50}`] : []),
    ...[`${usd(llm)}${tier}`, ...[vector, compute, cache, sql].map((v) => usd(v))],
    usd(a.costPerRunUsd),
  ];
}

/** The cheaper models that would meet each agent's needs, one line each. */
function rightSizingLines(sizing: RightSizing[]): string[] {
  const better = sizing.filter((s) => s.suggested);
  if (!better.length) return [];
  return [
    '',
    "Cheaper models that meet each agent's needs (minQuality, else its current model's quality; maxLatencyMs):",
    ...better.map(
      (s) =>
        `  ${s.agent}: ${s.current.model} → ${s.suggested!.model}, saves ${usd(s.savingPerRunUsd)} per run, $${s.savingPerMonthUsd.toFixed(2)} per month${alsoLine(s)}`,
    ),
  ];
}

/** Cheaper models of other vendors beside the suggestion. */
function alsoLine(s: RightSizing): string {
  if (!s.alternatives.length) return '';
  return `; also ${s.alternatives.map((a) => `${a.model}${a.provider ? ` (${a.provider})` : ''} ${usd(a.costPerRunUsd)}`).join(', ')}`;
}

function printEstimate(result: Estimate, file: string, out: Output): void {
  // A crew's rows are its tasks, each with the CrewAI agent that performs it.
  const crew = result.agents.some((a) => a.crewAgent !== undefined);
  const header = [
    crew ? 'task' : 'agent',
    ...(crew ? ['crew agent'] : []),
    'model',
    'prices of',
    'in tok',
    'out tok',
    ...(loops(result) ? ['calls'] : []),
    'llm',
    'vector',
    'compute',
    'cache',
    'sql',
    'per run',
  ];
  const first = crew ? 4 : 3;
  const numeric = header.map((_, i) => i >= first);
  const blank = (label: string, value: string): string[] => [label, ...header.slice(1, -1).map(() => ''), value];
  const { partiesPerMonth, rerunFactor } = result.volume;
  const rows = [
    ...result.agents.map((a) => (crew ? [a.agent, a.crewAgent ?? '', ...agentRow(a, loops(result)).slice(1)] : agentRow(a, loops(result)))),
    blank('orchestration', usd(result.orchestrationUsd)),
    blank('per party', usd(result.perPartyUsd)),
  ];
  out.line(`Cost estimate for ${file}`);
  out.line(`Prices: ${result.prices.source}; as of ${result.prices.date}${overrides(result)}`);
  if (result.crewai) out.line(`Prompts: as CrewAI ${result.crewai.version} sends them (${result.crewai.from})`);
  for (const framework of result.frameworks ?? []) out.line(`Prompts: as ${framework.name} ${framework.version} sends them (${framework.from})`);
  out.line("(`partycost prices PATTERN` lists a model's prices; `partycost prices --update` fetches newer ones)");
  out.line('');
  table(header, rows, numeric).forEach((line) => out.line(line));
  out.line('');
  out.line(
    `Per month: ${usd(result.perMonthUsd, 2)} (${integer(partiesPerMonth)} parties × ${rerunFactor} run${rerunFactor === 1 ? '' : 's'} per party × ${usd(result.perPartyUsd)})`,
  );
  footnotes(result).forEach((line) => out.line(line));
  modelSources(result).forEach((line) => out.line(line));
}

/** Where a framework's models come from, one line per agent of the framework (a crew's CrewAI agent) and model. */
function modelSources(result: Estimate): string[] {
  const sourced = result.agents.filter((a) => a.modelSource !== undefined);
  if (!sourced.length) return [];
  const lines = new Map<string, string[]>();
  for (const a of sourced) {
    const key = `${a.crewAgent ?? a.agent}: ${a.model}${a.local ? ' (local: $0)' : ''}, from ${a.modelSource}`;
    lines.set(key, [...(lines.get(key) ?? []), a.agent]);
  }
  return ['', 'Models, and where they come from:', ...[...lines].map(([line, agents]) => `  ${line} (${agents.join(', ')})`)];
}

function overrides(result: Estimate): string {
  const names = result.prices.overridden;
  return names.length ? `; workspace prices for ${names.join(', ')}` : '';
}

function footnotes(result: Estimate): string[] {
  const counts = new Set(result.agents.map((a) => a.tokenCount));
  const notes: string[] = [];
  if (counts.has('approximate')) notes.push('~ approximate: the model is outside the OpenAI tokenizer families, counted with o200k');
  for (const a of result.agents.filter((agent) => agent.tierAbove))
    notes.push(`† ${a.agent}: a prompt above ${integer(a.tierAbove!)} input tokens bills every token at ${a.model}'s long-context rate`);
  const noBatch = result.agents.filter((a) => a.batchUnavailable).map((a) => `${a.agent} (${a.provider})`);
  if (noBatch.length) notes.push(`No batch API, priced at list prices: ${noBatch.join(', ')}`);
  const batched = result.agents.filter((a) => a.batch && !a.batchUnavailable).map((a) => a.agent);
  if (batched.length) notes.push(`ᴮ batch: true, priced at the batch discount (answers within 24 hours): ${batched.join(', ')}`);
  if (counts.has('declared')) notes.push('* declared by expectedInputTokens');
  if (counts.has('calibrated')) {
    const factors = [...new Map(result.agents.filter((a) => a.calibration).map((a) => [a.calibration!.model, a.calibration!])).values()];
    notes.push(`≈ approximate, calibrated by what the vendor billed: ${factors.map((c) => `${c.model} × ${c.factor} (${integer(c.runs)} runs)`).join(', ')}`);
  }
  if (counts.has('counted'))
    notes.push(
      "Input tokens: the prompt template counted with the model's tokenizer (chat overhead included) plus upstream results at their producers' output tokens.",
    );
  if (result.agents.some((a) => a.outputTokensSource === 'learned')) notes.push("‡ learned from the agent's own runs in the ledger (the median; see below)");
  for (const a of result.agents.filter((agent) => agent.callsPerRun.p90 > 1)) notes.push(loopNote(a));
  return notes;
}

/**
 * Per agent with runs: where its figures come from and how far its runs' actual cost is from the estimate; then next
 * month from the ledger's spend beside the configuration's projection.
 */
function learningLines(result: Estimate, trend: SpendTrend | undefined): string[] {
  const taught = result.agents.filter((a) => a.learning && (a.learning.runs > 0 || a.learning.earlierRuns > 0));
  const lines: string[] = [];
  if (taught.length) {
    lines.push('', 'Learned from the ledger (expectedOutputTokens and the counted prompt are the prior until enough runs):');
    for (const a of taught) {
      const d = a.driftPercent;
      const drifted = d !== undefined && Math.abs(d) > driftLimitPercent ? `; DRIFT: runs cost ${d > 0 ? '+' : ''}${d} % against this estimate` : '';
      lines.push(`  ${a.agent}: ${a.learning!.why}${drifted}`);
    }
  }
  if (trend && trend.days > 0) {
    const projected = trend.trendPerMonthUsd ?? trend.ratePerMonthUsd!;
    lines.push(
      '',
      `From the ledger's spend: ${usd(projected, 2)} per month (${trend.trendPerMonthUsd !== null ? 'trend' : 'rate'}: ${trend.why}), against ${usd(result.perMonthUsd, 2)} from the configuration`,
    );
  } else if (trend && trend.todayUsd > 0) {
    lines.push('', `From the ledger's spend: ${usd(trend.todayUsd)} today; ${trend.why}`);
  }
  return lines;
}

/** Per agent with traced runs: what production spends per run, beside the estimate. */
function productionLines(result: Estimate): string[] {
  const traced = result.agents.filter((a) => a.production);
  if (!traced.length) return [];
  return [
    '',
    'From production (runs collected from traces or imported; partycost agents lists the names it could not attribute):',
    ...traced.map((a) => {
      const p = a.production!;
      const calls = p.calls.p50 === 1 && p.calls.p90 === 1 ? '1 call' : `${p.calls.p50} calls (p90 ${p.calls.p90})`;
      return `  ${a.agent}: p50 ${usd(p.costUsd.p50)} per run (p90 ${usd(p.costUsd.p90)}), ${calls}, over the latest ${integer(p.window)} of ${integer(p.runs)} runs; estimate ${usd(a.costPerRunUsd)}`;
    }),
  ];
}

/** A loop's line: its calls per run and where they come from, its first call, and a run at p90. */
function loopNote(a: AgentEstimate): string {
  const calls = a.callsPerRun;
  const why = {
    assumed: 'assumed for an agent with tools: two tool rounds, then the answer; expectedCalls says otherwise',
    configured: 'as expectedCalls says',
    learned: "learned from the agent's runs",
    'one call': '',
  }[calls.source];
  const p90 = a.costPerRunP90Usd === undefined ? '' : `; at p90, ${calls.p90} calls: ${usd(a.costPerRunP90Usd)} a run`;
  const first = a.firstCallInputTokens === undefined ? '' : `, the first with ${integer(a.firstCallInputTokens)} input tokens`;
  return `⟳ ${a.agent}: ${calls.p50} calls a run${first}, ${why}${a.tools?.length ? `; tools ${a.tools.join(', ')}` : ''}${p90}`;
}
