import { partyImpacts } from '../impact/impact';
import { storedResults } from '../impact/storedResults';
import { RunCancelledError, RunFailedError } from '../service/runner';
import type { CliArgs } from './args';
import { requireConfig } from './configFile';
import { CliError, exitCodes } from './errors';
import type { Output } from './output';
import { withParties } from './session';
import { integer, usd } from './table';

/** One party's refresh: what ran, what it cost, or why it failed. */
interface PartyRefresh {
  party: string;
  executed: number;
  costUsd: number;
  error?: string;
}

/**
 * `partycost refresh [--parties P1,P2,…] [--json]`: brings the parties the configuration affects (`partycost impact`)
 * up to date, one after the other, each with its delta plan; or only the listed ones. A party that fails is reported
 * with its cause and the others go on; Ctrl-C stops after the agents running, keeping every result that finished.
 */
export async function refreshCommand(args: CliArgs, cwd: string, out: Output): Promise<void> {
  if (args.positionals.length) throw new CliError('partycost: usage: partycost refresh [--parties P1,P2,…] [--json]', exitCodes.usage);
  const loaded = requireConfig(args, cwd, out.warn);
  const listed = typeof args.flags.parties === 'string' ? args.flags.parties.split(',').map((p) => p.trim()).filter(Boolean) : undefined;
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  try {
    const refreshed = await withParties(
      args,
      cwd,
      out,
      async (service) => {
        const affected = partyImpacts(loaded.config, storedResults(service.store.db)).filter((p) => p.agents.length > 0).map((p) => p.party);
        const exists = service.store.db.prepare('SELECT 1 FROM parties WHERE id = ?').pluck();
        const unknown = (listed ?? []).filter((party) => exists.get(party) === undefined);
        if (unknown.length) throw new CliError(`partycost: no part${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')}; "partycost party list" shows them`);
        const parties = listed ?? affected;
        if (!args.json) out.line(parties.length ? `Refreshing ${integer(parties.length)} part${parties.length === 1 ? 'y' : 'ies'}${listed ? '' : ' the configuration affects'}…` : 'No party is affected by the configuration: nothing to refresh.');
        const done: PartyRefresh[] = [];
        for (const [i, party] of parties.entries()) {
          if (controller.signal.aborted) break;
          try {
            const report = await service.run(party, { signal: controller.signal });
            done.push({ party, executed: report.executed, costUsd: report.costUsd });
            if (!args.json) out.line(`  ${i + 1}/${parties.length} ${party}: ${report.executed} executed for ${usd(report.costUsd)}`);
          } catch (error) {
            if (error instanceof RunCancelledError) break;
            const message = error instanceof RunFailedError || error instanceof Error ? error.message : String(error);
            done.push({ party, executed: 0, costUsd: 0, error: message });
            if (!args.json) out.line(`  ${i + 1}/${parties.length} ${party}: failed: ${message} (its finished agents are kept)`);
          }
        }
        return { parties, done };
      },
      loaded,
    );
    const failed = refreshed.done.filter((p) => p.error);
    const cost = refreshed.done.reduce((sum, p) => sum + p.costUsd, 0);
    const executed = refreshed.done.reduce((sum, p) => sum + p.executed, 0);
    const cancelled = controller.signal.aborted;
    if (args.json) out.json({ parties: refreshed.done, executed, costUsd: Number(cost.toFixed(6)), cancelled, failed: failed.length });
    else if (refreshed.parties.length) out.line(`Done: ${integer(refreshed.done.length - failed.length)} of ${integer(refreshed.parties.length)} parties refreshed, ${integer(executed)} agents executed for ${usd(cost)}${failed.length ? `; ${failed.length} failed` : ''}${cancelled ? '; cancelled' : ''}.`);
    if (failed.length) throw new CliError(`partycost: ${failed.length} part${failed.length === 1 ? 'y' : 'ies'} failed to refresh: ${failed.map((p) => p.party).join(', ')}; run "partycost refresh" again to retry them`);
    if (cancelled) throw new CliError('partycost: refresh cancelled; what finished is kept');
  } finally {
    process.removeListener('SIGINT', cancel);
  }
}
