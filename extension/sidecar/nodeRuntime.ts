import { spawnSync } from 'node:child_process';

/** The Node.js that runs the sidecar, or why none was found. */
export type NodeRuntime = { path: string; version: string } | { error: string };

/** The major version the sidecar's native module (better-sqlite3) is built for. */
export const requiredNodeMajor = 20;

/**
 * The sidecar runs under plain Node, never inside the extension host: `partycost.nodePath` if set, else `node` on
 * PATH. A candidate counts only if it runs and is the required major version.
 */
export function findNodeRuntime(configured: string | undefined): NodeRuntime {
  const candidates = configured ? [configured] : ['node'];
  const tried: string[] = [];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 5_000 });
    const version = probe.status === 0 ? probe.stdout.trim() : undefined;
    if (version && Number(version.replace(/^v/, '').split('.')[0]) === requiredNodeMajor) return { path: candidate, version };
    tried.push(version ? `${candidate} is ${version}` : `${candidate} did not run`);
  }
  const where = configured ? `"partycost.nodePath" (${configured})` : '"node" on PATH';
  return {
    error:
      `Party Cost Inspector runs its engine with Node.js ${requiredNodeMajor}, and ${where} is not usable (${tried.join('; ')}). ` +
      `Install Node.js ${requiredNodeMajor} (nodejs.org), or set "partycost.nodePath" to a Node ${requiredNodeMajor} executable.`,
  };
}
