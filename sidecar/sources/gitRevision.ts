import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './load';
import type { LoadedConfig } from './load';
import type { ConfigLocation } from '../shared/configLocation';
import { UserError } from '../contract/errors';

/** A configuration file as it was at a git revision; `text` is null when the file did not exist there. */
export interface OldConfig {
  text: string | null;
  /** The path relative to the repository root, with forward slashes, as git names it. */
  repoPath: string;
  /** `REV:path`, how problems and headings name the old file. */
  name: string;
}

type GitResult = { ok: true; stdout: string } | { ok: false; stderr: string };

function git(gitArgs: string[], cwd: string): GitResult {
  try {
    const stdout = execFileSync('git', gitArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
    return { ok: true, stdout };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new UserError('--against needs git, and no "git" was found on PATH');
    return { ok: false, stderr: String(failure.stderr ?? failure.message).trim() };
  }
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/^(fatal|error): /, '');
}

/** Reads `file` at `rev` with `git show REV:path`, git run in the file's directory. */
export function configAtRevision(file: string, rev: string, display: (file: string) => string): OldConfig {
  // A file of the old revision may stand in a folder that is gone now: git runs in the nearest folder that is here.
  let dir = path.dirname(file);
  let below = '';
  while (!existsSync(dir) && path.dirname(dir) !== dir) {
    below = path.join(path.basename(dir), below);
    dir = path.dirname(dir);
  }
  const shownDir = display(dir) || '.';
  const top = git(['rev-parse', '--show-toplevel'], dir);
  if (!top.ok) {
    if (/not a git repository/i.test(top.stderr)) {
      throw new UserError(`--against needs a git repository, and ${shownDir} is not in one`);
    }
    throw new UserError(`--against needs a git work tree at ${shownDir}: ${firstLine(top.stderr)}`);
  }
  const root = realpathSync(top.stdout.trim());
  const repoPath = path
    .relative(root, path.join(realpathSync(dir), below, path.basename(file)))
    .split(path.sep)
    .join('/');
  const name = `${rev}:${repoPath}`;
  const commit = git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], dir);
  if (!commit.ok) {
    throw new UserError(`unknown git revision "${rev}"; in a shallow clone, fetch it first (actions/checkout: fetch-depth: 0)`);
  }
  const object = `${commit.stdout.trim()}:${repoPath}`;
  const type = git(['cat-file', '-t', object], dir);
  if (!type.ok) return { text: null, repoPath, name };
  if (type.stdout.trim() !== 'blob') throw new UserError(`${name} is a ${type.stdout.trim()}, not a file`);
  const shown = git(['show', object], dir);
  if (!shown.ok) throw new UserError(`could not read ${name}: ${firstLine(shown.stderr)}`);
  return { text: shown.stdout, repoPath, name };
}

/**
 * The configuration as it was at a revision: every file of it (a crew's YAML too) read with `git show`, named
 * `REV:path` in problems. `existed` is false when its main file did not exist there.
 */
export function loadAtRevision(
  location: ConfigLocation,
  main: string,
  rev: string,
  display: (file: string) => string,
): { loaded: LoadedConfig; old: OldConfig } {
  const old = new Map<string, OldConfig>();
  const at = (file: string): OldConfig => {
    if (!old.has(file)) old.set(file, configAtRevision(file, rev, display));
    return old.get(file)!;
  };
  const loaded = loadConfig(location, { read: (file) => at(file).text ?? undefined, display: (file) => at(file).name });
  return { loaded, old: at(main) };
}
