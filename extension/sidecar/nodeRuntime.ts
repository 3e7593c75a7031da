import { spawnSync } from 'node:child_process';

/** The Node.js that runs the sidecar, or why none was found. */
export type NodeRuntime = { path: string; version: string } | { error: string };

/**
 * The major versions the VSIX ships the sidecar's native module (better-sqlite3) for, one build per ABI; the same as
 * package.json's `engines.node` (a unit test holds them together).
 */
export const supportedNodeMajors: readonly number[] = [20, 22, 24];

/** "20, 22 or 24". */
const supportedList = `${supportedNodeMajors.slice(0, -1).join(', ')} or ${supportedNodeMajors.at(-1)}`;

/**
 * The sidecar runs under plain Node, never inside the extension host: `partycost.nodePath` if set, else `node` on
 * PATH. A candidate counts only if it runs and is a supported major version.
 */
export function findNodeRuntime(configured: string | undefined): NodeRuntime {
  const candidates = configured ? [configured] : ['node'];
  const tried: string[] = [];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 5_000 });
    const version = probe.status === 0 ? probe.stdout.trim() : undefined;
    if (version && supportedNodeMajors.includes(Number(version.replace(/^v/, '').split('.')[0]))) return { path: candidate, version };
    tried.push(version ? `${candidate} is ${version}` : `${candidate} did not run`);
  }
  const where = configured ? `"partycost.nodePath" (${configured})` : '"node" on PATH';
  const newest = supportedNodeMajors.at(-1);
  return {
    error:
      `Party Cost Inspector runs its engine with Node.js ${supportedList}, and ${where} is not usable (${tried.join('; ')}). ` +
      `Install Node.js ${newest} (nodejs.org; any of ${supportedList} works), or set "partycost.nodePath" to a Node.js ${supportedList} executable.`,
  };
}
