import type { AccuracyReport, AgentAccuracy } from '../contract/accuracy';
import { accuracyOf } from '../service/ledgerService';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { CliError, exitCodes } from './errors';
import type { Output } from './output';
import { integer, table, usd } from './table';

/**
 * `partycost accuracy [--json]`: per agent, how close its configured and its learned estimate came to what its runs
 * (as it is now configured) cost, the error of the estimate in force at each run, and next month from the spend trend.
 */
export function accuracyCommand(ctx: CommandContext): void {
  const { args, out, ws } = ctx;
  if (args.positionals.length) throw new CliError('partycost: usage: partycost accuracy [--json]', exitCodes.usage);
  const report = accuracyOf(ws, requireConfig(ctx));
  if (!report) {
    if (args.json) out.json({ agents: [], projection: null, learning: null });
    else out.line('No ledger yet: "partycost run PARTY" records what each execution costs, and estimates learn from it.');
    return;
  }
  if (args.json) out.json(report);
  else print(report, out);
}

const percent = (value: number | null): string => (value === null ? '–' : `${value.toFixed(1)} %`);
const money = (value: number | null): string => (value === null ? '–' : usd(value));

function print(report: AccuracyReport, out: Output): void {
  const header = ['agent', 'model', 'runs', 'configured', 'learned', 'actual mean', 'configured err', 'learned err', 'drift'];
  const rows = report.agents.map((a) => [
    a.agent,
    a.model ?? '',
    a.window < a.runs ? `${integer(a.window)} of ${integer(a.runs)}` : integer(a.runs),
    money(a.configuredCostUsd),
    money(a.learnedCostUsd),
    money(a.actualMeanCostUsd),
    percent(a.configuredErrorPercent),
    percent(a.learnedErrorPercent),
    a.driftPercent === null ? '–' : `${a.driftPercent > 0 ? '+' : ''}${a.driftPercent.toFixed(1)} %${a.drift ? ' !' : ''}`,
  ]);
  out.line(
    `Estimates against actual runs (each agent's latest ${integer(report.learning.window)} runs as now configured; learned figures from ${integer(report.learning.minRuns)} runs on)`,
  );
  out.line('');
  table(
    header,
    rows,
    header.map((_, i) => i >= 2),
  ).forEach((line) => out.line(line));
  out.line('');
  out.line("err: mean absolute percentage error against each run; drift: the runs' mean against the estimate shown, ! beyond ±25 %.");
  for (const a of report.agents) out.line(`  ${a.agent}: ${a.why}${trendText(a)}`);
  const { configuredPerMonthUsd, learnedPerMonthUsd, actual } = report.projection;
  out.line('');
  out.line(
    `Per month: ${usd(configuredPerMonthUsd, 2)} from the configuration, ${usd(learnedPerMonthUsd, 2)} with learned figures (both at the configured volume)`,
  );
  const fromSpend = actual.trendPerMonthUsd ?? actual.ratePerMonthUsd;
  out.line(
    fromSpend === null
      ? `From the ledger's spend: ${actual.why}${actual.todayUsd ? ` (${usd(actual.todayUsd)} today)` : ''}`
      : `From the ledger's spend: ${usd(fromSpend, 2)} (${actual.why}; ${usd(actual.spentUsd, 2)} over ${integer(actual.days)} days)`,
  );
}

/** The error of the estimate in force at the window's first and last runs, when both kept one. */
function trendText(a: AgentAccuracy): string {
  const known = a.errorTrend.filter((e): e is number => e !== null);
  const [first, last] = [known[0], known.at(-1)];
  if (known.length < 2 || first === undefined || last === undefined) return '';
  return `; estimate error at the time: ${first.toFixed(1)} % at the window's first run, ${last.toFixed(1)} % at its last`;
}
