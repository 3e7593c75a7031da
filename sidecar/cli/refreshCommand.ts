import { batchPollMs } from '../providers/batchedCall';
import { partyImpacts } from '../impact/impact';
import { storedResults } from '../impact/storedResults';
import { RunCancelledError, RunFailedError } from '../service/runner';
import { BatchRefresh } from '../service/batchRefresh';
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
 * `partycost refresh [--batch] [--parties P1,P2,…] [--json]`: brings the parties the configuration affects (`partycost
 * impact`) up to date, one after the other, each with its delta plan; or only the listed ones. With `--batch`, the
 * calls to OpenAI and Anthropic go through their batch APIs, level by level (service/batchRefresh.ts). A party that
 * fails is reported with its cause and the others go on; Ctrl-C stops after the agents running, keeping every result
 * that finished (and, with --batch, the batches submitted, which the next run collects).
 */
export async function refreshCommand(args: CliArgs, cwd: string, out: Output): Promise<void> {
  if (args.positionals.length) throw new CliError('partycost: usage: partycost refresh [--batch] [--parties P1,P2,…] [--json]', exitCodes.usage);
  if (args.flags.batch === true) return batchRefreshCommand(args, cwd, out);
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

/** How long between two status reads of a batch, and how many before a refresh stops waiting (environment, for tests). */
function pollSettings(env: NodeJS.ProcessEnv): { pollMs: number; maxPolls?: number } {
  const pollMs = batchPollMs(env);
  const maxPolls = env.PARTYCOST_BATCH_MAX_POLLS === undefined || env.PARTYCOST_BATCH_MAX_POLLS === '' ? undefined : Number(env.PARTYCOST_BATCH_MAX_POLLS);
  return { pollMs, ...(maxPolls !== undefined && Number.isFinite(maxPolls) ? { maxPolls } : {}) };
}

async function batchRefreshCommand(args: CliArgs, cwd: string, out: Output): Promise<void> {
  const loaded = requireConfig(args, cwd, out.warn);
  const listed = typeof args.flags.parties === 'string' ? args.flags.parties.split(',').map((p) => p.trim()).filter(Boolean) : undefined;
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  try {
    const report = await withParties(
      args,
      cwd,
      out,
      async (service) => {
        const affected = partyImpacts(loaded.config, storedResults(service.store.db)).filter((p) => p.agents.length > 0).map((p) => p.party);
        const parties = listed ?? affected;
        if (!args.json) out.line(parties.length ? `Refreshing ${integer(parties.length)} part${parties.length === 1 ? 'y' : 'ies'} through the batch APIs…` : 'No party is affected by the configuration: nothing to refresh (batches an earlier refresh submitted are collected).');
        const refresh = new BatchRefresh(service.store.db, loaded.config, loaded.prices, service.cache, { parties, ...pollSettings(process.env), signal: controller.signal, onLine: (line) => !args.json && out.line(`  ${line}`) });
        return refresh.run();
      },
      loaded,
    );
    if (args.json) out.json(report);
    const failed = report.parties.filter((p) => p.error);
    if (!args.json) {
      const refreshed = report.parties.filter((p) => p.refreshed).length;
      out.line(`Done: ${integer(refreshed)} of ${integer(report.parties.length)} parties refreshed, ${integer(report.executed)} agents executed for ${usd(report.costUsd)} (batch prices where batched)${report.waiting.length ? `; waiting for ${report.waiting.join(', ')}: run "partycost refresh --batch" again to collect` : ''}.`);
      for (const p of failed) out.line(`  ${p.party} not refreshed: ${p.error}`);
    }
    if (failed.length) throw new CliError(`partycost: ${failed.length} part${failed.length === 1 ? 'y' : 'ies'} failed to refresh: ${failed.map((p) => p.party).join(', ')}; their finished agents are kept`);
  } catch (error) {
    if (error instanceof RunCancelledError || controller.signal.aborted) throw new CliError('partycost: refresh cancelled; what finished is kept, and the batches submitted are collected by the next "partycost refresh --batch"');
    throw error;
  } finally {
    process.removeListener('SIGINT', cancel);
  }
}
