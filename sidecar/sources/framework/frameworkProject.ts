import path from 'node:path';
import type { FileSet } from './frameworkAgents';
import { lockedVersion, readDotenv, readPyproject, requiredVersion } from '../python/projectFiles';

/**
 * The project around a framework's files: the version of the framework it pins (uv.lock, pyproject.toml,
 * requirements.txt; package-lock.json, package.json) and its environment (the process's, then the project's `.env`,
 * which `load_dotenv()` and `adk run` load without overriding what is set).
 */
export interface FrameworkProject {
  version: { value: string; from: string };
  env: (name: string) => string | undefined;
  /** Where a variable's value comes from: `.env` (as shown) or `the environment`. */
  origin: (name: string) => string;
}

/** The project at `root` for a Python package (`openai-agents`, `google-adk`) or an npm one (`@openai/agents`). */
export function frameworkProject(
  root: string,
  files: FileSet,
  pkg: { python?: string; npm?: string },
  newest: string,
  environment: NodeJS.ProcessEnv,
  agentDirs: string[] = [],
): FrameworkProject {
  const at = (name: string): { text: string; name: string } | undefined => files.text(path.join(root, name));
  // An agent's own folder's .env first (ADK loads it per agent), then the project's.
  const dotenvs = [...new Set([...agentDirs, root])].flatMap((dir) => {
    const file = files.text(path.join(dir, '.env'));
    return file ? [{ name: file.name, values: readDotenv(file.text) }] : [];
  });
  const set = (name: string): boolean => environment[name] !== undefined && environment[name] !== '';
  const from = (name: string) => dotenvs.find((d) => d.values.has(name));
  return {
    version: versionOf(at, pkg, newest),
    env: (name) => (set(name) ? environment[name] : from(name)?.values.get(name)),
    origin: (name) => (set(name) ? 'the environment' : (from(name)?.name ?? '.env')),
  };
}

function versionOf(
  at: (name: string) => { text: string; name: string } | undefined,
  pkg: { python?: string; npm?: string },
  newest: string,
): FrameworkProject['version'] {
  if (pkg.python) {
    const lock = at('uv.lock');
    const locked = lock ? lockedVersion(lock.text, pkg.python) : undefined;
    if (locked) return { value: locked, from: `locked in ${lock!.name}` };
    const pyproject = at('pyproject.toml');
    const required = pyproject ? requiredVersion(readPyproject(pyproject.text).dependencies, pkg.python) : undefined;
    if (required) return { value: required, from: `required by ${pyproject!.name}` };
    const requirements = at('requirements.txt');
    const listed = requirements ? requiredVersion(requirements.text.split('\n'), pkg.python) : undefined;
    if (listed) return { value: listed, from: `required by ${requirements!.name}` };
  }
  if (pkg.npm) {
    const lock = at('package-lock.json');
    const locked = lock ? npmLocked(lock.text, pkg.npm) : undefined;
    if (locked) return { value: locked, from: `locked in ${lock!.name}` };
    const manifest = at('package.json');
    const range = manifest ? npmRange(manifest.text, pkg.npm) : undefined;
    if (range) return { value: range, from: `required by ${manifest!.name}` };
  }
  return { value: newest, from: 'no version pinned: the newest these rules were read from' };
}

function npmLocked(text: string, pkg: string): string | undefined {
  try {
    const lock = JSON.parse(text) as { packages?: Record<string, { version?: string }> };
    return lock.packages?.[`node_modules/${pkg}`]?.version;
  } catch {
    return undefined;
  }
}

/** The lowest version a package.json range allows (`^0.3.1` → 0.3.1); undefined for a tag or a URL. */
function npmRange(text: string, pkg: string): string | undefined {
  try {
    const manifest = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
    const range = manifest.dependencies?.[pkg] ?? manifest.devDependencies?.[pkg];
    return range ? /(\d+\.\d+\.\d+)/.exec(range)?.[1] : undefined;
  } catch {
    return undefined;
  }
}
