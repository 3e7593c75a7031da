import type { AgentImpact, ImpactReport } from '../contract/impact';
import { impactSummary } from '../contract/impact';
import { impactOf } from '../service/impactService';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { CliError, exitCodes } from './errors';
import { revisionFlag } from './estimateCommand';
import type { Output } from './output';
import { integer, table, usd } from './table';

/**
 * `partycost impact [--against REV] [--by-party] [--json]`: every stored party's delta plan under the working
 * configuration (against the configuration each party's results were produced with, which their keys record; or,
 * with --against, as if they had been produced with the configuration at REV): which agents re-run in how many
 * parties, why, and what bringing them all up to date costs at list and Batch API prices.
 */
export function impactCommand(ctx: CommandContext): void {
  const { args, out, ws } = ctx;
  if (args.positionals.length) throw new CliError('partycost: usage: partycost impact [--against REV] [--by-party] [--json]', exitCodes.usage);
  const against = revisionFlag(args);
  const loaded = requireConfig(ctx);
  const report = impactOf(ws, loaded, { against, byParty: args.flags['by-party'] === true });
  if (args.json) out.json(report);
  else print(report, loaded.file, out);
}

function print(report: ImpactReport, file: string, out: Output): void {
  out.line(`Impact of ${file} on ${integer(report.parties.total)} stored part${report.parties.total === 1 ? 'y' : 'ies'} (against ${report.against})`);
  out.line(impactSummary(report));
  if (report.removedAgents.length)
    out.line(
      `Kept: results of agents the configuration no longer has (${report.removedAgents.map((r) => `${r.agent} in ${integer(r.parties)} part${r.parties === 1 ? 'y' : 'ies'}`).join(', ')}); nothing re-runs them.`,
    );
  if (!report.agents.length) return;
  out.line('');
  const rows = report.agents.map((a) => [
    a.agent,
    action(a),
    a.detail ? `${a.cause}: ${a.detail}` : a.cause,
    integer(a.parties),
    a.action === 'execute' ? usd(a.executeCostUsd) : '–',
    a.action === 'execute' ? usd(a.batchCostUsd) : '–',
  ]);
  table(['agent', 'action', 'cause', 'parties', 'cost', 'batch'], rows, [false, false, false, true, true, true]).forEach((line) => out.line(line));
  const t = report.totals;
  const conditional = report.agents.filter((a) => a.conditional && a.action === 'execute').reduce((sum, a) => sum + a.parties, 0);
  out.line('');
  out.line(
    `Executions: ${integer(t.executions)}${conditional ? ` (${integer(conditional)} only if their upstream results change)` : ''}; ${usd(t.executeCostUsd)} at list prices${conditional ? ` (${usd(t.bestCaseCostUsd)} if early cutoff stops every conditional one)` : ''}, ${usd(t.batchCostUsd)} through the Batch API.`,
  );
  out.line(
    `Prices: ${report.prices.source}; as of ${report.prices.date}. Estimates per run, as "partycost estimate" gives them; a refresh finds results other parties share in the cache.`,
  );
  if (!report.byParty) return;
  out.line('');
  for (const party of report.byParty)
    out.line(
      `${party.party}: ${party.agents.map((a) => `${a.agent} (${a.action === 'delete' ? 'delete' : a.conditional ? 'execute?' : 'execute'}, ${a.cause})`).join(', ')}`,
    );
}

function action(a: AgentImpact): string {
  return a.action === 'delete' ? 'delete' : a.conditional ? 'execute?' : 'execute';
}
