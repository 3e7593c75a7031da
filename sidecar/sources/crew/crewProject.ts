import path from 'node:path';
import { lockedVersion, readDotenv, readPyproject } from '../python/projectFiles';
import type { CrewEnvironment } from './crewModels';
import { latestCrewai } from './prompts';
import { crewMainFiles, crewPythonFiles, projectRoot } from '../../shared/configLocation';

/** Reads a file of the workspace: its text (an editor's unsaved one first), or undefined when there is none. */
export type Reader = (file: string) => string | undefined;

/**
 * The files around a crew's config directory, as `crewai create crew` and `crewai create flow` lay them out: the
 * crew's Python (`crew.py` beside `config/`, or `<crew>/<crew>.py` in a flow's `crews/`), the entry point that passes
 * the inputs (`main.py` of the package, or of the flow), the project root (the nearest folder up with a
 * pyproject.toml) with its `.env` and `uv.lock`, and the CrewAI version the project pins.
 */
export interface CrewProject {
  /** The crew's Python file, when it has one. */
  crewFile?: string;
  /** The entry point whose `inputs` a run passes. */
  mainFile?: string;
  root?: string;
  pyprojectFile?: string;
  /** The CrewAI version whose prompts apply: uv.lock's, else pyproject.toml's pin or lower bound, else the latest. */
  version: { value: string; from: string };
  env: CrewEnvironment;
  /** Files read to learn this (their changes change the crew). */
  read: string[];
}

/**
 * The project around a config directory (or, for a declarative crew, its root). `environment` is the process's (it
 * wins over `.env`, as load_dotenv).
 */
export function crewProject(
  configDir: string,
  read: Reader,
  environment: NodeJS.ProcessEnv,
  display: (file: string) => string,
  declarative = false,
): CrewProject {
  const readFiles: string[] = [];
  const exists = (file: string): string | undefined => {
    const text = read(file);
    if (text !== undefined) readFiles.push(file);
    return text;
  };
  const crewFile = declarative ? undefined : crewPythonFiles(configDir).find((file) => exists(file) !== undefined);
  const mainFile = declarative ? undefined : crewMainFiles(configDir).find((file) => exists(file) !== undefined);
  const root = projectRoot(declarative ? configDir : path.dirname(configDir), (file) => read(file) !== undefined);
  const pyproject = root ? exists(path.join(root, 'pyproject.toml')) : undefined;
  const dotenvText = root ? exists(path.join(root, '.env')) : undefined;
  const dotenv = dotenvText === undefined ? new Map<string, string>() : readDotenv(dotenvText);
  const env: CrewEnvironment = {
    get: (name) => (environment[name] !== undefined && environment[name] !== '' ? environment[name] : dotenv.get(name)),
    origin: (name) => (environment[name] !== undefined && environment[name] !== '' ? 'the environment' : root ? display(path.join(root, '.env')) : '.env'),
  };
  return {
    ...(crewFile ? { crewFile } : {}),
    ...(mainFile ? { mainFile } : {}),
    ...(root ? { root, pyprojectFile: path.join(root, 'pyproject.toml') } : {}),
    version: versionOf(root, pyproject, root ? exists(path.join(root, 'uv.lock')) : undefined, display),
    env,
    read: readFiles,
  };
}

function versionOf(
  root: string | undefined,
  pyproject: string | undefined,
  uvLock: string | undefined,
  display: (file: string) => string,
): CrewProject['version'] {
  const locked = uvLock ? lockedVersion(uvLock, 'crewai') : undefined;
  if (locked && root) return { value: locked, from: `locked in ${display(path.join(root, 'uv.lock'))}` };
  const required = pyproject ? readPyproject(pyproject).crewaiVersion : undefined;
  if (required && root) return { value: required, from: `required by ${display(path.join(root, 'pyproject.toml'))}` };
  return { value: latestCrewai, from: 'no version pinned: the latest these rules were read from' };
}
