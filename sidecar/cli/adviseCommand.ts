import { readFileSync, writeFileSync } from 'node:fs';
import { advise } from '../advice/advise';
import { recordApplied } from '../advice/ledgerFacts';
import { appliedOf } from '../contract/advice';
import type { Advice, AdviceReport, PromptCaching } from '../contract/advice';
import { applyAdvice } from '../shared/adviceEdit';
import type { CliArgs } from './args';
import { displayPath, requireConfig } from './configFile';
import { CliError, exitCodes } from './errors';
import type { Output } from './output';
import { databasePath, withLedger } from './session';
import { openDatabase } from '../store/database';
import { integer, table, usd } from './table';

/**
 * `partycost advise [--json] [--apply N]`: every change that would cut the bill, per agent, priced per month at the
 * configured volume (or the ledger's), ranked; what prompt caching does for each agent by its vendor's rules; and
 * what advice applied before has saved since. `--apply N` writes advice N's edit to partycost.json.
 */
export function adviseCommand(args: CliArgs, cwd: string, out: Output): void {
  if (args.positionals.length) throw new CliError('partycost: usage: partycost advise [--apply N] [--json]', exitCodes.usage);
  const loaded = requireConfig(args, cwd, out.warn);
  const apply = args.flags.apply === undefined ? undefined : Number(args.flags.apply);
  if (apply !== undefined && !(Number.isInteger(apply) && apply >= 1)) throw new CliError(`partycost: --apply takes an advice's rank (1, 2, …), not "${String(args.flags.apply)}"`, exitCodes.usage);
  const editable = loaded.kind === 'partycost' && !loaded.crew;
  const report = withLedger(args, cwd, out, (read) => advise(loaded.config, loaded.prices, { learning: read?.learner.learningFor(loaded.config), db: read?.db, editable }));
  if (apply === undefined) return args.json ? out.json(report) : print(report, out);
  const chosen = report.advice.find((a) => a.rank === apply);
  if (!chosen) throw new CliError(`partycost: there is no advice ${apply} (${report.advice.length} listed)`);
  if (!chosen.edit) throw new CliError(`partycost: advice ${apply} (${chosen.change}) is ${editable ? 'an edit of the prompts' : 'an edit of the crew\'s YAML'}: make it by hand`);
  writeFileSync(loaded.file, applyAdvice(readFileSync(loaded.file, 'utf8'), chosen.edit));
  // Kept in the workspace's database (created if need be), so a later report measures it on the runs after it.
  const file = databasePath(args, cwd);
  const db = openDatabase(file, { name: displayPath(file, cwd) });
  try {
    recordApplied(db, { ...appliedOf(chosen), appliedAt: new Date().toISOString() });
  } finally {
    db.close();
  }
  out.line(`Applied advice ${apply} to ${displayPath(loaded.file, cwd)}: ${chosen.agent}: ${chosen.change} (about ${usd(chosen.savingPerMonthUsd, 2)} a month)`);
}

function print(report: AdviceReport, out: Output): void {
  const v = report.volume;
  out.line(`Savings advice at ${integer(v.partiesPerMonth)} parties a month × ${v.runsPerParty} runs each (${v.why}); prices: ${report.prices.source}, as of ${report.prices.date}.`);
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
  const rows = report.promptCaching.map((p) => [p.agent, p.model, `${integer(p.prefixTokens)} / ${integer(p.stableTokens)}`, p.minimumTokens === null ? '–' : integer(p.minimumTokens), integer(p.cachedTokens), p.cachedTokens ? `${Math.round(p.hitRate * 100)} %` : '–', signed(p.savingPerMonthUsd), measured(p)]);
  table(['agent', 'model', 'prefix / stable', 'minimum', 'cached', 'hit rate', 'saves/month', 'measured'], rows, [false, false, true, true, true, true, true, false]).forEach((line) => out.line(line));
  const rules = [...new Set(report.promptCaching.map((p) => `  ${p.vendor}: ${p.rule}`))];
  rules.forEach((line) => out.line(line));
  if (report.promptCaching.some((p) => p.runsOn === 'offline')) out.line('  Agents on the offline provider are priced as their vendor bills them; the offline provider itself reads no cache.');
  if (report.applied.length) {
    out.line('');
    out.line('Advice applied, measured on the ledger (mean actual cost per execution):');
    for (const a of report.applied) {
      const m = a.measured;
      out.line(`  ${a.appliedAt.slice(0, 16).replace('T', ' ')} ${a.agent}: ${a.change}: predicted ${usd(a.predictedPerRunUsd)} a run; ${m ? `measured ${usd(m.savingPerRunUsd)} (${usd(m.before.meanUsd)} over ${m.before.runs} runs before, ${usd(m.after.meanUsd)} over ${m.after.runs} after)` : 'not measured yet (runs before and after it are needed)'}`);
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
