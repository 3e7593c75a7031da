import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { catalogueInfo, catalogueReady, remoteCatalogueUrl, useBundledCatalogue, useCatalogueData } from './catalogue';
import type { CatalogueInfo } from '../contract/pricing';
import { UserError } from '../contract/errors';

/** Where an update keeps the fetched price data: beside the workspace database, read by the CLI and the sidecar. */
export function storedCataloguePath(workspace: string): string {
  return path.join(workspace, '.partycost', 'prices.json');
}

interface StoredCatalogue {
  fetchedAt: string;
  url: string;
  providers: unknown;
}

/**
 * The prices in force for a workspace: the data an update stored there, else the bundled data. Nothing here waits on
 * a network. A stored file that cannot be used is named in `problem`, and the bundled data stays in force.
 */
export async function loadCatalogue(workspace: string): Promise<CatalogueInfo & { problem?: string }> {
  await catalogueReady();
  const file = storedCataloguePath(workspace);
  let stored: StoredCatalogue;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as StoredCatalogue;
  } catch (error) {
    useBundledCatalogue();
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return catalogueInfo();
    return { ...catalogueInfo(), problem: `${file} is not readable price data (${(error as Error).message}); using the bundled prices` };
  }
  try {
    return useCatalogueData(stored.providers, stored.fetchedAt);
  } catch (error) {
    useBundledCatalogue();
    return { ...catalogueInfo(), problem: `${file} holds no usable price data (${(error as Error).message}); using the bundled prices` };
  }
}

/** An update that could not be fetched or used; the prices in force are kept. */
export class CatalogueUpdateError extends UserError {}

/**
 * Fetches the catalogue's newest data (from the library's address, or `PARTYCOST_PRICES_URL`), puts it in force and
 * stores it in the workspace with the time it was fetched. On any failure the data in force stays as it was.
 */
export async function updateCatalogue(workspace: string, options: { url?: string; timeoutMs?: number; now?: () => Date } = {}): Promise<CatalogueInfo> {
  await catalogueReady();
  const url = options.url ?? (process.env.PARTYCOST_PRICES_URL || remoteCatalogueUrl());
  const before = catalogueInfo();
  let providers: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    if (!response.ok) throw new Error(`the server answered ${response.status} ${response.statusText}`.trim());
    providers = await response.json();
  } catch (error) {
    throw new CatalogueUpdateError(`could not fetch prices from ${url}: ${reason(error)}; keeping the prices of ${before.date}`);
  }
  const fetchedAt = (options.now?.() ?? new Date()).toISOString();
  let info: CatalogueInfo;
  try {
    info = useCatalogueData(providers, fetchedAt);
  } catch (error) {
    throw new CatalogueUpdateError(`the data from ${url} is not a price catalogue (${reason(error)}); keeping the prices of ${before.date}`);
  }
  const file = storedCataloguePath(workspace);
  mkdirSync(path.dirname(file), { recursive: true });
  // Written whole, then renamed over the old file, so a reader never sees half of it.
  writeFileSync(`${file}.tmp`, JSON.stringify({ fetchedAt, url, providers } satisfies StoredCatalogue));
  renameSync(`${file}.tmp`, file);
  return info;
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return cause ? `${message} (${cause})` : message;
}
