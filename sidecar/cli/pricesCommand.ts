import type { ModelRow } from '../contract/pricing';
import { modelPrices, pricesInfo, updatePrices } from '../service/pricesService';
import type { CommandContext } from './context';
import { CliError } from './errors';
import { integer, table } from './table';

/**
 * `partycost prices [PATTERN] [--provider P] [--all] [--json]`: the models matching PATTERN with their prices per 1M
 * tokens; by default each model under its own vendor (`--all`: every provider that sells it, deprecated ones too).
 * `partycost prices --update`: fetch the catalogue's newest data and keep it in the workspace.
 */
export async function pricesCommand(ctx: CommandContext): Promise<void> {
  const { args, out } = ctx;
  if (args.flags.update === true) return update(ctx);
  if (args.positionals.length > 1) throw new CliError('partycost: usage: partycost prices [PATTERN] [--provider P] [--all] [--update]', 2);
  const rows = modelPrices(args.positionals[0] ?? '', args.flags.provider as string | undefined, args.flags.all === true);
  const info = pricesInfo();
  if (args.json) return out.json({ source: info.source, date: info.date, ...(info.fetchedAt ? { fetchedAt: info.fetchedAt } : {}), models: rows });
  out.line(`Prices: ${info.source}; as of ${info.date}`);
  out.line('');
  if (!rows.length) {
    out.line(
      `No model matches "${args.positionals[0] ?? ''}"${args.flags.all === true ? '' : '; --all also searches resellers (aws, azure, openrouter…) and deprecated models'}.`,
    );
    return;
  }
  const money = (v: number | undefined): string => (v === undefined ? '–' : `$${Number(v.toFixed(6))}`);
  const header = ['provider', 'model', 'input', 'cache read', 'cache write', 'output', 'context', 'long context'];
  const body = rows.map((r) => [
    r.provider,
    r.model,
    money(r.inputUsd),
    money(r.cacheReadUsd),
    money(r.cacheWriteUsd),
    money(r.outputUsd),
    r.contextWindow ? integer(r.contextWindow) : '–',
    tiers(r),
  ]);
  table(header, body, [false, false, true, true, true, true, true, false]).forEach((line) => out.line(line));
  out.line('');
  out.line(
    `${integer(rows.length)} model${rows.length === 1 ? '' : 's'}, USD per 1M tokens. Batch API (OpenAI, Anthropic, Google, Mistral, Azure): 50 % off input and output.`,
  );
}

function tiers(row: ModelRow): string {
  return (row.tiers ?? []).map((t) => `above ${integer(t.aboveInputTokens)}: $${t.inputUsd} / $${t.outputUsd}`).join('; ');
}

async function update({ args, out, ws }: CommandContext): Promise<void> {
  const info = await updatePrices(ws);
  const file = ws.display(info.file);
  if (args.json) return out.json({ ...info, file });
  out.line(`Prices updated: ${integer(info.providers)} providers, ${integer(info.models)} models, fetched ${info.fetchedAt}; kept in ${file}.`);
}
