import { UserError } from '../contract/errors';
import { refreshParties, refreshThroughBatches } from '../service/impactService';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { CliError, exitCodes } from './errors';
import { integer, usd } from './table';

/**
 * `partycost refresh [--batch] [--parties P1,P2,…] [--json]`: brings the parties the configuration affects (`partycost
 * impact`) up to date, one after the other, each with its delta plan; or only the listed ones. With `--batch`, the
 * calls to OpenAI and Anthropic go through their batch APIs, level by level. A party that fails is reported with its
 * cause and the others go on; Ctrl-C stops after the agents running, keeping every result that finished (and, with
 * --batch, the batches submitted, which the next run collects).
 */
export async function refreshCommand(ctx: CommandContext): Promise<void> {
  const { args } = ctx;
  if (args.positionals.length) throw new CliError('partycost: usage: partycost refresh [--batch] [--parties P1,P2,…] [--json]', exitCodes.usage);
  const listed =
    typeof args.flags.parties === 'string'
      ? args.flags.parties
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : undefined;
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  try {
    await (args.flags.batch === true ? batchRefresh(ctx, listed, controller.signal) : directRefresh(ctx, listed, controller.signal));
  } finally {
    process.removeListener('SIGINT', cancel);
  }
}

async function directRefresh(ctx: CommandContext, listed: string[] | undefined, signal: AbortSignal): Promise<void> {
  const { args, out, ws } = ctx;
  const loaded = requireConfig(ctx);
  const refreshed = await refreshParties(ws, loaded, {
    parties: listed,
    signal,
    onStart: (parties) => {
      if (!args.json)
        out.line(
          parties.length
            ? `Refreshing ${integer(parties.length)} part${parties.length === 1 ? 'y' : 'ies'}${listed ? '' : ' the configuration affects'}…`
            : 'No party is affected by the configuration: nothing to refresh.',
        );
    },
    onParty: (p, i, of) => {
      if (args.json) return;
      out.line(
        p.error
          ? `  ${i + 1}/${of} ${p.party}: failed: ${p.error} (its finished agents are kept)`
          : `  ${i + 1}/${of} ${p.party}: ${p.executed} executed for ${usd(p.costUsd)}`,
      );
    },
  });
  const failed = refreshed.done.filter((p) => p.error);
  const cost = refreshed.done.reduce((sum, p) => sum + p.costUsd, 0);
  const executed = refreshed.done.reduce((sum, p) => sum + p.executed, 0);
  const cancelled = signal.aborted;
  if (args.json) out.json({ parties: refreshed.done, executed, costUsd: Number(cost.toFixed(6)), cancelled, failed: failed.length });
  else if (refreshed.parties.length)
    out.line(
      `Done: ${integer(refreshed.done.length - failed.length)} of ${integer(refreshed.parties.length)} parties refreshed, ${integer(executed)} agents executed for ${usd(cost)}${failed.length ? `; ${failed.length} failed` : ''}${cancelled ? '; cancelled' : ''}.`,
    );
  if (failed.length)
    throw new CliError(
      `partycost: ${failed.length} part${failed.length === 1 ? 'y' : 'ies'} failed to refresh: ${failed.map((p) => p.party).join(', ')}; run "partycost refresh" again to retry them`,
    );
  if (cancelled) throw new CliError('partycost: refresh cancelled; what finished is kept');
}

async function batchRefresh(ctx: CommandContext, listed: string[] | undefined, signal: AbortSignal): Promise<void> {
  const { args, out, ws } = ctx;
  const loaded = requireConfig(ctx);
  try {
    const report = await refreshThroughBatches(ws, loaded, {
      parties: listed,
      signal,
      onStart: (parties) => {
        if (!args.json)
          out.line(
            parties.length
              ? `Refreshing ${integer(parties.length)} part${parties.length === 1 ? 'y' : 'ies'} through the batch APIs…`
              : 'No party is affected by the configuration: nothing to refresh (batches an earlier refresh submitted are collected).',
          );
      },
      onLine: (line) => !args.json && out.line(`  ${line}`),
    });
    if (args.json) out.json(report);
    const failed = report.parties.filter((p) => p.error);
    if (!args.json) {
      const refreshed = report.parties.filter((p) => p.refreshed).length;
      out.line(
        `Done: ${integer(refreshed)} of ${integer(report.parties.length)} parties refreshed, ${integer(report.executed)} agents executed for ${usd(report.costUsd)} (batch prices where batched)${report.waiting.length ? `; waiting for ${report.waiting.join(', ')}: run "partycost refresh --batch" again to collect` : ''}.`,
      );
      for (const p of failed) out.line(`  ${p.party} not refreshed: ${p.error}`);
    }
    if (failed.length)
      throw new CliError(
        `partycost: ${failed.length} part${failed.length === 1 ? 'y' : 'ies'} failed to refresh: ${failed.map((p) => p.party).join(', ')}; their finished agents are kept`,
      );
  } catch (error) {
    if ((error instanceof UserError && error.kind === 'run-cancelled') || signal.aborted)
      throw new CliError(
        'partycost: refresh cancelled; what finished is kept, and the batches submitted are collected by the next "partycost refresh --batch"',
      );
    throw error;
  }
}
