import type { LedgerExecution } from '../contract/ledger';
import { ledgerReport } from '../service/ledgerService';
import type { CliArgs } from './args';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { CliError, exitCodes } from './errors';
import { dollars, integer, table, usd } from './table';

/**
 * `partycost ledger [PARTY] [--since DATE] [--json]`: every execution with its provider, model, usage by part and its
 * estimated and actual cost; result-cache hits too, costing nothing. Budgets count the actual costs.
 */
export async function ledgerCommand(ctx: CommandContext): Promise<void> {
  const { args, out, ws } = ctx;
  if (args.positionals.length > 1) throw new CliError('partycost: usage: partycost ledger [PARTY] [--since DATE]', exitCodes.usage);
  const since = sinceFlag(args);
  const party = args.positionals[0];
  requireConfig(ctx);
  const report = ledgerReport(ws, { party, since });
  if (args.json) return out.json(report);
  if (!report.executions.length) {
    out.line(`No executions${party ? ` of party ${party}` : ''}${since ? ` since ${since}` : ''} yet: "partycost run PARTY" runs one.`);
    return;
  }
  const header = ['at (UTC)', 'party', 'agent', 'provider', 'model', 'input', 'cache read', 'cache write', 'output', 'reasoning', 'estimated', 'actual'];
  const rows = report.executions.map(row);
  table(
    header,
    rows,
    header.map((_, i) => i >= 5),
  ).forEach((line) => out.line(line));
  const t = report.totals;
  out.line('');
  const estimated =
    t.estimated === t.executions
      ? `${dollars(t.estimatedCostUsd)} estimated`
      : `${dollars(t.estimatedCostUsd)} estimated for the ${integer(t.estimated)} that kept an estimate`;
  out.line(
    `${integer(t.executions)} executions: ${dollars(t.actualCostUsd)} actual against ${estimated}; tokens ${integer(t.usage.inputTokens)} in (${integer(t.usage.cacheReadTokens)} read from and ${integer(t.usage.cacheWriteTokens)} written to prompt caches), ${integer(t.usage.outputTokens)} out (${integer(t.usage.reasoningTokens)} reasoning).`,
  );
  if (t.cacheHits) out.line(`${integer(t.cacheHits)} results served from the result cache, saving ${usd(t.savedUsd)}.`);
  if (report.executions.some((e) => e.usage.source === 'estimated' && !e.cached && e.model))
    out.line('~ usage counted locally (the offline provider), not reported by a provider.');
}

function row(e: LedgerExecution): string[] {
  const n = (value: number): string => (e.model ? integer(value) : '–');
  const mark = e.usage.source === 'estimated' && e.model ? '~' : '';
  return [
    e.at.slice(0, 19).replace('T', ' '),
    e.party,
    e.agent,
    e.cached ? `${e.provider} (cache hit)` : e.provider,
    e.model ?? '(compute)',
    `${mark}${n(e.usage.inputTokens)}`,
    n(e.usage.cacheReadTokens),
    n(e.usage.cacheWriteTokens),
    `${mark}${n(e.usage.outputTokens)}`,
    n(e.usage.reasoningTokens),
    e.estimatedCostUsd === null ? '?' : usd(e.estimatedCostUsd),
    e.cached ? `– (saved ${usd(e.savedUsd)})` : usd(e.actualCostUsd),
  ];
}

/** `--since 2026-12-01` (a day, UTC) or an ISO time; anything else is a usage error. */
function sinceFlag(args: CliArgs): string | undefined {
  const value = args.flags.since;
  if (value === undefined) return undefined;
  const text = String(value);
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time)) {
    throw new CliError(`partycost: --since takes a date (2026-12-01) or an ISO time (2026-12-01T14:00:00Z), not "${text}"`, exitCodes.usage);
  }
  return new Date(time).toISOString();
}
