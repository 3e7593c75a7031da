import type { Advice, AdviceReport, PromptCaching } from '../contract/advice';
import { adviceReport, applyAdviceRank } from '../service/adviceService';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { CliError, exitCodes } from './errors';
import type { Output } from './output';
import { integer, table, usd } from './table';

/**
 * `partycost advise [--json] [--apply N]`: every change that would cut the bill, per agent, priced per month at the
 * configured volume (or the ledger's), ranked; what prompt caching does for each agent by its vendor's rules; and
 * what advice applied before has saved since. `--apply N` writes advice N's edit to partycost.json.
 */
export function adviseCommand(ctx: CommandContext): void {
  const { args, out, ws } = ctx;
  if (args.positionals.length) throw new CliError('partycost: usage: partycost advise [--apply N] [--json]', exitCodes.usage);
  const loaded = requireConfig(ctx);
  const apply = args.flags.apply === undefined ? undefined : Number(args.flags.apply);
  if (apply !== undefined && !(Number.isInteger(apply) && apply >= 1))
    throw new CliError(`partycost: --apply takes an advice's rank (1, 2, …), not "${String(args.flags.apply)}"`, exitCodes.usage);
  if (apply === undefined) {
    const report = adviceReport(ws, loaded);
    if (args.json) out.json(report);
    else print(report, out);
    return;
  }
  const chosen = applyAdviceRank(ws, loaded, apply);
  out.line(`Applied advice ${apply} to ${ws.display(ws.configFile())}: ${chosen.agent}: ${chosen.change} (about ${usd(chosen.savingPerMonthUsd, 2)} a month)`);
}

function print(report: AdviceReport, out: Output): void {
  const v = report.volume;
  out.line(
    `Savings advice at ${integer(v.partiesPerMonth)} parties a month × ${v.runsPerParty} runs each (${v.why}); prices: ${report.prices.source}, as of ${report.prices.date}.`,
  );
  out.line('');
  if (!report.advice.length) out.line('No change would save a cent a month.');
  else {
    const rows = report.advice.map((a) => [String(a.rank), a.agent, a.change, usd(a.savingPerMonthUsd, 2), a.confidence, a.edit ? 'yes' : '–']);
    table(['#', 'agent', 'change', 'saves/month', 'confidence', 'edit'], rows, [true, false, false, true, false, false]).forEach((line) => out.line(line));
    out.line(`Total if every change is made: ${usd(report.totalPerMonthUsd, 2)} a month (changes to one agent overlap: the total is an upper bound).`);
    out.line('');
    for (const a of report.advice) explain(a, out);
  }
  out.line('Prompt caching, as each agent is sent now:');
  const rows = report.promptCaching.map((p) => [
    p.agent,
    p.model,
    `${integer(p.prefixTokens)} / ${integer(p.stableTokens)}`,
    p.minimumTokens === null ? '–' : integer(p.minimumTokens),
    integer(p.cachedTokens),
    p.cachedTokens ? `${Math.round(p.hitRate * 100)} %` : '–',
    signed(p.savingPerMonthUsd),
    measured(p),
  ]);
  table(['agent', 'model', 'prefix / stable', 'minimum', 'cached', 'hit rate', 'saves/month', 'measured'], rows, [
    false,
    false,
    true,
    true,
    true,
    true,
    true,
    false,
  ]).forEach((line) => out.line(line));
  const rules = [...new Set(report.promptCaching.map((p) => `  ${p.vendor}: ${p.rule}`))];
  rules.forEach((line) => out.line(line));
  report.cachingNotes.forEach((note) => out.line(`  ${note}`));
  if (report.applied.length) {
    out.line('');
    out.line('Advice applied, measured on the ledger (mean actual cost per execution):');
    for (const a of report.applied) {
      const m = a.measured;
      out.line(
        `  ${a.appliedAt.slice(0, 16).replace('T', ' ')} ${a.agent}: ${a.change}: predicted ${usd(a.predictedPerRunUsd)} a run; ${m ? `measured ${usd(m.savingPerRunUsd)} (${usd(m.before.meanUsd)} over ${m.before.runs} runs before, ${usd(m.after.meanUsd)} over ${m.after.runs} after)` : 'not measured yet (runs before and after it are needed)'}`,
      );
    }
  }
}

function explain(a: Advice, out: Output): void {
  out.line(`${a.rank}. ${a.agent}: ${a.change}: ${usd(a.savingPerMonthUsd, 2)} a month (${usd(a.savingPerRunUsd)} a run), ${a.confidence} confidence`);
  out.line(`   ${a.why}`);
  out.line(`   Assumes: ${a.assumes.join('; ')}.`);
  out.line('');
}

function measured(p: PromptCaching): string {
  const m = p.measured;
  return m ? `${Math.round(m.hitRate * 100)} % hits, ${usd(m.savingPerRunUsd)}/run over ${m.runs}` : '–';
}

/** A saving that may be negative (caching that costs more than it saves): −$0.47. */
function signed(amount: number): string {
  return amount < 0 ? `−$${(-amount).toFixed(2)}` : usd(amount, 2);
}
