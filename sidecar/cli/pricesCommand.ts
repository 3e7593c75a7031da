import { catalogueEntries, catalogueInfo, entryModel, priceSheet } from '../cost/catalogue';
import type { ModelPriceSheet } from '../cost/catalogue';
import { CatalogueUpdateError, storedCataloguePath, updateCatalogue } from '../cost/catalogueUpdate';
import type { CliArgs } from './args';
import { displayPath } from './configFile';
import { CliError } from './errors';
import type { Output } from './output';
import { integer, table } from './table';

/** One model's row of `partycost prices --json`. */
interface ModelRow extends ModelPriceSheet {
  provider: string;
  model: string;
  contextWindow?: number;
}

/**
 * `partycost prices [PATTERN] [--provider P] [--all] [--json]`: the models matching PATTERN with their prices per 1M
 * tokens; by default each model under its own vendor (`--all`: every provider that sells it, deprecated ones too).
 * `partycost prices --update`: fetch the catalogue's newest data and keep it in the workspace.
 */
export async function pricesCommand(args: CliArgs, cwd: string, out: Output): Promise<void> {
  if (args.flags.update === true) return update(args, cwd, out);
  if (args.positionals.length > 1) throw new CliError('partycost: usage: partycost prices [PATTERN] [--provider P] [--all] [--update]', 2);
  const rows = matching(args.positionals[0] ?? '', args.flags.provider as string | undefined, args.flags.all === true);
  const info = catalogueInfo();
  if (args.json) return out.json({ source: info.source, date: info.date, ...(info.fetchedAt ? { fetchedAt: info.fetchedAt } : {}), models: rows });
  out.line(`Prices: ${info.source}; as of ${info.date}`);
  out.line('');
  if (!rows.length) {
    out.line(`No model matches "${args.positionals[0] ?? ''}"${args.flags.all === true ? '' : '; --all also searches resellers (aws, azure, openrouter…) and deprecated models'}.`);
    return;
  }
  const money = (v: number | undefined): string => (v === undefined ? '–' : `$${Number(v.toFixed(6))}`);
  const header = ['provider', 'model', 'input', 'cache read', 'cache write', 'output', 'context', 'long context'];
  const body = rows.map((r) => [r.provider, r.model, money(r.inputUsd), money(r.cacheReadUsd), money(r.cacheWriteUsd), money(r.outputUsd), r.contextWindow ? integer(r.contextWindow) : '–', tiers(r)]);
  table(header, body, [false, false, true, true, true, true, true, false]).forEach((line) => out.line(line));
  out.line('');
  out.line(`${integer(rows.length)} model${rows.length === 1 ? '' : 's'}, USD per 1M tokens. Batch API (OpenAI, Anthropic, Google, Mistral, Azure): 50 % off input and output.`);
}

function tiers(row: ModelRow): string {
  return (row.tiers ?? []).map((t) => `above ${integer(t.aboveInputTokens)}: $${t.inputUsd} / $${t.outputUsd}`).join('; ');
}

/** PATTERN is a case-insensitive part of the model id, or of `provider/model` when it names a provider too. */
function matching(pattern: string, provider: string | undefined, all: boolean): ModelRow[] {
  const needle = pattern.toLowerCase().replace(':', '/');
  const qualified = needle.includes('/');
  return catalogueEntries()
    .filter((e) => (provider ? e.provider.id === provider : all || qualified || e.ownVendor) && (all || !e.model.deprecated))
    .filter((e) => (qualified ? `${e.provider.id}/${e.model.id}` : e.model.id).toLowerCase().includes(needle))
    .map((e) => {
      const model = entryModel(e.provider, e.model);
      return { provider: e.provider.id, model: e.model.id, ...priceSheet(model), ...(model.contextWindow ? { contextWindow: model.contextWindow } : {}) };
    })
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
}

async function update(args: CliArgs, cwd: string, out: Output): Promise<void> {
  try {
    const info = await updateCatalogue(args.workspace);
    const file = displayPath(storedCataloguePath(args.workspace), cwd);
    if (args.json) return out.json({ ...info, file });
    out.line(`Prices updated: ${integer(info.providers)} providers, ${integer(info.models)} models, fetched ${info.fetchedAt}; kept in ${file}.`);
  } catch (error) {
    if (error instanceof CatalogueUpdateError) throw new CliError(`partycost: ${error.message}`);
    throw error;
  }
}
