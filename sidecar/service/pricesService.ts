import { catalogueEntries, catalogueInfo, entryModel, priceSheet } from '../cost/catalogue';
import type { CatalogueInfo, ModelRow } from '../contract/pricing';
import { storedCataloguePath, updateCatalogue } from '../cost/catalogueUpdate';
import type { Workspace } from './workspace';

/** Where the prices in force come from, and how fresh they are. */
export function pricesInfo(): CatalogueInfo {
  return catalogueInfo();
}

/**
 * The catalogue's models matching a pattern (a case-insensitive part of the model id, or of `provider/model` when it
 * names a provider too): by default each under its own vendor and not deprecated; `all`: every provider that sells it.
 */
export function modelPrices(pattern: string, provider: string | undefined, all: boolean): ModelRow[] {
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

/** Fetches the catalogue's newest prices, puts them in force and keeps them in the workspace (`file`). */
export async function updatePrices(ws: Workspace): Promise<Awaited<ReturnType<typeof updateCatalogue>> & { file: string }> {
  const info = await updateCatalogue(ws.root);
  ws.pricesChanged();
  return { ...info, file: storedCataloguePath(ws.root) };
}
