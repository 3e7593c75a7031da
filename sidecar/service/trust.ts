import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { UserError } from '../contract/errors';
import { endpointOf } from '../providers/registry';
import type { EndpointTrust, ProvidersConfig } from '../providers/registry';

/**
 * Which endpoints named by a workspace's configuration the user trusts with API keys. Kept outside every workspace,
 * in the user's own configuration folder (`$XDG_CONFIG_HOME/partycost/trust.json`, else `~/.config/…`, `%APPDATA%`
 * on Windows), so a cloned repository cannot trust itself. Trust is per workspace folder (its real path) and per
 * endpoint: a later change of the repository to another server is not trusted by it.
 */

interface TrustFile {
  workspaces: Record<string, { endpoints: string[]; at: string }>;
}

export function trustFile(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME || (process.platform === 'win32' && env.APPDATA ? env.APPDATA : path.join(env.HOME || env.USERPROFILE || homedir(), '.config'));
  return path.join(base, 'partycost', 'trust.json');
}

function read(file: string): TrustFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { workspaces: {} };
  }
  try {
    const parsed = JSON.parse(text) as TrustFile;
    return parsed && typeof parsed.workspaces === 'object' && parsed.workspaces ? parsed : { workspaces: {} };
  } catch {
    throw new UserError(`${file} is not JSON: fix or delete it (it lists the workspaces whose endpoints you trust)`);
  }
}

function write(file: string, trust: TrustFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify(trust, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
}

const folderOf = (root: string): string => {
  try {
    return realpathSync(root);
  } catch {
    return path.resolve(root);
  }
};

/** The endpoints a configuration names for its providers (`providers.<name>.baseURL`, the older `provider.baseURL`). */
export function namedEndpoints(config: ProvidersConfig): string[] {
  const urls = [config.provider?.baseURL, ...Object.values(config.providers ?? {}).map((p) => p?.baseURL)].filter((u): u is string => !!u);
  return [...new Set(urls.map(endpointOf))].sort();
}

/** The workspace's trusted endpoints, as a check. */
export function endpointTrust(root: string, env: NodeJS.ProcessEnv = process.env): EndpointTrust {
  const trusted = new Set(read(trustFile(env)).workspaces[folderOf(root)]?.endpoints ?? []);
  return (endpoint) => trusted.has(endpoint);
}

/** Trusts these endpoints for the workspace (adding to what it trusted); returns them all. */
export function trustEndpoints(root: string, endpoints: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const file = trustFile(env);
  const trust = read(file);
  const folder = folderOf(root);
  const all = [...new Set([...(trust.workspaces[folder]?.endpoints ?? []), ...endpoints])].sort();
  trust.workspaces[folder] = { endpoints: all, at: new Date().toISOString() };
  write(file, trust);
  return all;
}

/** Withdraws the workspace's trust; returns the endpoints it had. */
export function untrust(root: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = trustFile(env);
  const trust = read(file);
  const folder = folderOf(root);
  const had = trust.workspaces[folder]?.endpoints ?? [];
  if (had.length) {
    delete trust.workspaces[folder];
    write(file, trust);
  }
  return had;
}

/** What this workspace trusts now. */
export function trustedEndpoints(root: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return read(trustFile(env)).workspaces[folderOf(root)]?.endpoints ?? [];
}
