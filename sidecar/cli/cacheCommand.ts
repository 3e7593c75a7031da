import type { CacheReport } from '../contract/cache';
import { cacheStats, clearCache } from '../service/ledgerService';
import { positionals } from './args';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { CliError, exitCodes } from './errors';
import type { Output } from './output';
import { dollars, integer, table } from './table';

/** `cache stats [--json]` and `cache clear [--agent A] [--party P]`. */
export async function cacheCommand(ctx: CommandContext): Promise<void> {
  const { args, out, ws } = ctx;
  const [verb] = positionals(args, 1, 'cache stats | cache clear [--agent A] [--party P]');
  if (verb === 'stats') {
    requireConfig(ctx);
    const report = await cacheStats(ws);
    if (args.json) return out.json(report);
    printStats(report, out);
  } else if (verb === 'clear') {
    const agent = args.flags.agent as string | undefined;
    const party = args.flags.party as string | undefined;
    requireConfig(ctx);
    const { cleared, unreachable } = await clearCache(ws, { agent, party });
    const what = party ? `the results of party ${party}` : agent ? `agent ${agent}` : 'every agent';
    if (args.json) out.json({ cleared, unreachable, agent: agent ?? null, party: party ?? null });
    else
      out.line(`Cleared ${integer(cleared)} cache entr${cleared === 1 ? 'y' : 'ies'} (${what}) from ${unreachable.length ? 'the other tiers' : 'every tier'}`);
    // A tier that did not answer still holds its entries: never served from now on, but said, and a failure.
    if (unreachable.length)
      throw new CliError(
        `partycost: ${unreachable.join(' and ')} did not answer the clear: none of its entries made before now will be used, but they stay in it; run "partycost cache clear" again once it is back`,
        exitCodes.failure,
      );
  } else {
    throw new CliError(`partycost: unknown cache command "${verb}"; use "cache stats" or "cache clear"`, exitCodes.usage);
  }
}

function printStats(report: CacheReport, out: Output): void {
  out.line(`Result cache (namespace "${report.namespace}"; Redis: ${report.redis})`);
  out.line('');
  const rows = report.tiers.map((t) => [
    t.tier,
    integer(t.hits),
    integer(t.misses),
    `${(t.hitRate * 100).toFixed(1)} %`,
    integer(t.writes),
    integer(t.evictions),
    integer(t.errors),
    integer(t.skipped),
    t.latencyUs.p50 === null ? '–' : `${t.latencyUs.p50} / ${t.latencyUs.p95} µs`,
    t.entries === null ? '–' : integer(t.entries),
    t.bytes === null ? '–' : `${(t.bytes / 1024).toFixed(1)} KiB`,
    t.breaker ?? '',
  ]);
  const header = ['tier', 'hits', 'misses', 'hit rate', 'writes', 'evictions', 'errors', 'skipped', 'p50 / p95', 'entries', 'size', 'breaker'];
  table(
    header,
    rows,
    header.map((_, i) => i > 0 && i < 11),
  ).forEach((line) => out.line(line));
  const s = report.savings;
  out.line('');
  out.line(
    `Saved by cache hits: ${dollars(s.savedUsd)}, ${s.savedMs < 1000 ? `${s.savedMs.toFixed(1)} ms` : `${(s.savedMs / 1000).toFixed(1)} s`} of agent time, ${integer(s.savedTokens)} tokens, over ${integer(s.hits)} hits`,
  );
  s.byAgent.slice(0, 10).forEach((a) => out.line(`  ${a.agent.padEnd(16)} ${integer(a.hits).padStart(6)} hits  ${dollars(a.savedUsd)}`));
  if (report.tiers.some((t) => t.tier === 'memory')) out.line('(memory: entries and size are those of this process; counters are totals of every process)');
}
