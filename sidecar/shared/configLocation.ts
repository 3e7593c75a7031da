import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { parse } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { UserError } from '../contract/errors';
import { adkFiles, agentsSdkFiles, frameworkOfFile, frameworkRoot } from './frameworkLocation';

/** The file name every workspace uses unless told otherwise. */
export const configFileName = 'partycost.json';

/** The YAML file of a kind in a config directory: `NAME.yaml`, else `NAME.yml`. */
export function crewFile(dir: string, base: 'agents' | 'tasks', exists: (file: string) => boolean): string {
  const yml = path.join(dir, `${base}.yml`);
  return !exists(path.join(dir, `${base}.yaml`)) && exists(yml) ? yml : path.join(dir, `${base}.yaml`);
}

/**
 * Where a workspace's agent configuration comes from: partycost.json (which may point at a crew), or CrewAI: a crew's
 * config directory, or a CrewAI project's root (its pyproject.toml has `[tool.crewai]`): every crew of it; or an
 * OpenAI Agents SDK project (its Python or TypeScript files, or the one file named), or a Google ADK project (its
 * root_agent.yaml files and Python, or the one file named); or several of these frameworks in one workspace.
 */
export type ConfigLocation =
  | { kind: 'partycost'; file: string }
  | { kind: 'crewai'; dir: string }
  | { kind: 'agents-sdk'; dir: string; file?: string }
  | { kind: 'adk'; dir: string; file?: string }
  | { kind: 'frameworks'; parts: FrameworkLocation[] };

/** One framework's part of a workspace that has several. */
export type FrameworkLocation = Extract<ConfigLocation, { kind: 'crewai' | 'agents-sdk' | 'adk' }>;

const isFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** Whether a directory is a CrewAI config directory: agents.yaml and tasks.yaml (or .yml) side by side. */
export function isCrewDir(dir: string, exists: (file: string) => boolean = isFile): boolean {
  return exists(crewFile(dir, 'agents', exists)) && exists(crewFile(dir, 'tasks', exists));
}

/** Lists a directory's entries (none when it is not one). */
export type Lister = (dir: string) => string[];

const listDir: Lister = (dir) => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/** A pyproject.toml's `[tool.crewai]` table, when the text has one (`type`, and `definition` for a declarative crew). */
export function crewaiTable(pyprojectText: string): { type?: string; definition?: string } | undefined {
  let parsed: unknown;
  try {
    parsed = parseToml(pyprojectText);
  } catch {
    return undefined;
  }
  const table = (parsed as { tool?: { crewai?: unknown } }).tool?.crewai;
  if (!table || typeof table !== 'object') return undefined;
  const { type, definition } = table as { type?: unknown; definition?: unknown };
  return { ...(typeof type === 'string' ? { type } : {}), ...(typeof definition === 'string' && definition.trim() ? { definition } : {}) };
}

/** Whether a directory is a CrewAI project: a pyproject.toml with a `[tool.crewai]` table (what `crewai create` writes). */
export function isCrewProject(dir: string, read: (file: string) => string | undefined = readIfFile): boolean {
  const text = read(path.join(dir, 'pyproject.toml'));
  return text !== undefined && /^\s*\[tool\.crewai\]/m.test(text) && crewaiTable(text) !== undefined;
}

/**
 * The crews of a CrewAI project, as `crewai create crew` and `crewai create flow` lay them out: `src/<pkg>/config/`,
 * each `src/<pkg>/crews/<crew>/config/` of a flow, and `config/` at the root, in that order and by name.
 */
export function projectCrews(root: string, exists: (file: string) => boolean = isFile, list: Lister = listDir): string[] {
  const found: string[] = [];
  for (const pkg of list(path.join(root, 'src'))) {
    const dir = path.join(root, 'src', pkg);
    if (isCrewDir(path.join(dir, 'config'), exists)) found.push(path.join(dir, 'config'));
    for (const crew of list(path.join(dir, 'crews'))) {
      if (isCrewDir(path.join(dir, 'crews', crew, 'config'), exists)) found.push(path.join(dir, 'crews', crew, 'config'));
    }
  }
  if (isCrewDir(path.join(root, 'config'), exists)) found.push(path.join(root, 'config'));
  return found;
}

/**
 * A CrewAI layout in a workspace: a CrewAI project at its root (or one folder down), else a config directory as
 * `crewai create crew` writes it (`src/<name>/config/`), or `config/` or the root: the first found, in name order.
 */
export function findCrew(workspace: string): string | undefined {
  if (isCrewProject(workspace)) return workspace;
  const candidates = [path.join(workspace, 'config')];
  for (const name of listDir(path.join(workspace, 'src'))) candidates.push(path.join(workspace, 'src', name, 'config'));
  candidates.push(workspace);
  const dir = candidates.find((candidate) => isCrewDir(candidate));
  if (dir) return dir;
  return listDir(workspace)
    .filter((name) => !name.startsWith('.') && name !== 'node_modules')
    .map((name) => path.join(workspace, name))
    .find((child) => isCrewProject(child));
}

/**
 * The configuration a command or window uses. `explicit` (`--config`, the setting `partycost.configPath`) may name a
 * partycost.json, a CrewAI config directory, or one of its YAML files. Without it, or when `detect` is set and it does
 * not exist: partycost.json in the workspace, else a CrewAI layout, else partycost.json (missing: commands say so).
 */
export function locateConfig(workspace: string, explicit?: string, detect = explicit === undefined): ConfigLocation {
  if (explicit !== undefined) {
    if (/\.ya?ml$/i.test(explicit) && /^(agents|tasks)\./i.test(path.basename(explicit))) return { kind: 'crewai', dir: path.dirname(explicit) };
    if (isFile(explicit) && path.basename(explicit) !== configFileName) {
      const framework = frameworkOfFile(explicit, readIfFile);
      if (framework) return { kind: framework, dir: path.dirname(explicit), file: explicit };
    }
    if (existsSync(explicit) && !isFile(explicit)) {
      if (isFile(path.join(explicit, configFileName))) return { kind: 'partycost', file: path.join(explicit, configFileName) };
      if (isCrewDir(explicit) || isCrewProject(explicit)) return { kind: 'crewai', dir: explicit };
      const found = frameworksIn(explicit);
      if (found) return found;
    }
    if (!detect || existsSync(explicit)) return { kind: 'partycost', file: explicit };
  }
  const file = path.join(workspace, configFileName);
  if (isFile(file)) return { kind: 'partycost', file };
  return frameworksIn(workspace) ?? { kind: 'partycost', file: explicit ?? file };
}

/**
 * The agent frameworks of a folder without partycost.json: a CrewAI layout, OpenAI Agents SDK files, ADK agents;
 * one of them as it is, several together (each priced, in that order).
 */
export function frameworksIn(dir: string): ConfigLocation | undefined {
  const crew = findCrew(dir);
  const parts: FrameworkLocation[] = [
    ...(crew ? [{ kind: 'crewai' as const, dir: crew }] : []),
    ...(agentsSdkFiles(dir, readIfFile).length ? [{ kind: 'agents-sdk' as const, dir }] : []),
    ...(adkFiles(dir, readIfFile).length ? [{ kind: 'adk' as const, dir }] : []),
  ];
  return parts.length > 1 ? { kind: 'frameworks', parts } : parts[0];
}

/** The crew a partycost.json points at with `"crew"`, as an absolute directory, read from its text. */
export function crewPointer(file: string, text: string): string | undefined {
  const value = parse(text, [], { allowTrailingComma: true }) as { crew?: unknown } | undefined;
  return typeof value?.crew === 'string' && value.crew.trim() ? path.resolve(path.dirname(file), value.crew) : undefined;
}

/** Every file a location's configuration is read from (those that exist), the main one first. */
export function sourceFiles(location: ConfigLocation, read: (file: string) => string | undefined = readIfFile): string[] {
  if (location.kind === 'crewai') return crewSourceFiles(location.dir).filter(isFile);
  if (location.kind === 'frameworks') return [...new Set(location.parts.flatMap((part) => sourceFiles(part, read)))];
  if (location.kind === 'agents-sdk' || location.kind === 'adk') return frameworkSourceFiles(location).filter(isFile);
  const text = read(location.file);
  if (text === undefined) return [];
  const crew = crewPointer(location.file, text);
  return [location.file, ...(crew ? crewSourceFiles(crew).filter(isFile) : [])];
}

/** The nearest folder at or above `dir` with a pyproject.toml (a Python project's root), within a few levels. */
export function projectRoot(dir: string, exists: (file: string) => boolean = isFile): string | undefined {
  for (let at = dir, i = 0; i < 6; i++, at = path.dirname(at)) {
    if (exists(path.join(at, 'pyproject.toml'))) return at;
    if (path.dirname(at) === at) break;
  }
  return undefined;
}

/** A crew's Python beside its config directory: `crew.py`, or `<crew>.py` in a flow's `crews/<crew>/`. */
export function crewPythonFiles(configDir: string): string[] {
  const pkg = path.dirname(configDir);
  return [path.join(pkg, 'crew.py'), path.join(pkg, `${path.basename(pkg)}.py`)];
}

/** The entry points that may pass a crew's inputs: its package's main.py, or its flow's. */
export function crewMainFiles(configDir: string): string[] {
  const pkg = path.dirname(configDir);
  const inFlow = path.basename(path.dirname(pkg)) === 'crews';
  return [path.join(pkg, 'main.py'), ...(inFlow ? [path.normalize(path.join(pkg, '..', '..', 'main.py'))] : [])];
}

/** The files a CrewAI location may be read from: the project's, each crew's YAML and Python, a declarative definition's. */
function crewSourceFiles(dir: string): string[] {
  const root = isCrewProject(dir) ? dir : projectRoot(dir);
  const project = root ? ['pyproject.toml', 'uv.lock', '.env'].map((name) => path.join(root, name)) : [];
  const table = root ? crewaiTable(readIfFile(path.join(root, 'pyproject.toml')) ?? '') : undefined;
  if (root === dir && table?.definition) {
    const definition = path.resolve(root, table.definition);
    const agents = path.join(path.dirname(definition), 'agents');
    return [
      definition,
      ...listDir(agents)
        .filter((name) => /\.jsonc?$/.test(name))
        .map((name) => path.join(agents, name)),
      ...project,
    ];
  }
  const crews = root === dir ? projectCrews(dir) : [dir];
  const perCrew = crews.flatMap((configDir) => {
    const tools = path.join(path.dirname(configDir), 'tools');
    return [
      crewFile(configDir, 'tasks', isFile),
      crewFile(configDir, 'agents', isFile),
      ...crewPythonFiles(configDir),
      ...crewMainFiles(configDir),
      ...listDir(tools)
        .filter((name) => name.endsWith('.py'))
        .map((name) => path.join(tools, name)),
    ];
  });
  return [...new Set([...perCrew, ...project])];
}

/** The files an Agents SDK or ADK location is read from: its definitions (and the YAML beside an Agent Config), the project's files. */
function frameworkSourceFiles(location: Extract<ConfigLocation, { kind: 'agents-sdk' | 'adk' }>): string[] {
  const definitions = location.file ? [location.file] : location.kind === 'adk' ? adkFiles(location.dir, readIfFile) : agentsSdkFiles(location.dir, readIfFile);
  const yamls =
    location.kind === 'adk'
      ? definitions
          .filter((f) => /\.ya?ml$/i.test(f))
          .flatMap((f) =>
            listDir(path.dirname(f))
              .filter((name) => /\.ya?ml$/i.test(name))
              .map((name) => path.join(path.dirname(f), name)),
          )
      : [];
  const root = frameworkRoot(location.dir, isFile);
  const project = ['pyproject.toml', 'uv.lock', 'requirements.txt', 'package.json', 'package-lock.json', '.env'].map((name) => path.join(root, name));
  return [...new Set([...definitions, ...yamls, ...project])];
}

/** The main file of a location: partycost.json; a crew's tasks.yaml; a project's definition, only crew's tasks.yaml, or pyproject.toml. */
export function mainFile(location: ConfigLocation): string {
  if (location.kind === 'partycost') return location.file;
  if (location.kind === 'frameworks') return mainFile(location.parts[0]!);
  if (location.kind === 'agents-sdk' || location.kind === 'adk') {
    if (location.file) return location.file;
    const found = location.kind === 'adk' ? adkFiles(location.dir, readIfFile) : agentsSdkFiles(location.dir, readIfFile);
    return found[0] ?? path.join(location.dir, location.kind === 'adk' ? 'root_agent.yaml' : 'agents.py');
  }
  if (!isCrewProject(location.dir)) return crewFile(location.dir, 'tasks', isFile);
  const definition = crewaiTable(readIfFile(path.join(location.dir, 'pyproject.toml')) ?? '')?.definition;
  if (definition) return path.resolve(location.dir, definition);
  const crews = projectCrews(location.dir);
  return crews.length === 1 ? crewFile(crews[0]!, 'tasks', isFile) : path.join(location.dir, 'pyproject.toml');
}

/**
 * The most a configuration file may hold. The largest real ones (a big project's uv.lock) are a few MB; past 10 MB it
 * is a mistake (a device, a dump named by accident), and reading it whole could take all the process's memory.
 */
export const maxConfigBytes = 10_000_000;

/**
 * A configuration file's text, read without ever holding much more than `maxConfigBytes`; undefined when there is no
 * file to read (missing, a folder, unreadable). One too large, or one that is not a regular file (a device, which may
 * never end; a FIFO, which may block), is refused with a sentence naming it as `name`.
 */
export function readConfigFile(file: string, name = file): string | undefined {
  const stats = statOf(file);
  if (!stats || stats.isDirectory()) return undefined;
  // Refused before it is opened: opening a FIFO waits for a writer, opening a device may do something.
  if (!stats.isFile()) throw notRegular(name, stats);
  let fd: number;
  try {
    // Non-blocking, should a FIFO have taken the file's place since.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    return boundedRead(fd, name);
  } catch (error) {
    if (error instanceof UserError) throw error;
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A file's text for finding the configuration (the extension too): undefined whatever stops it, so finding never fails. */
export function readIfFile(file: string): string | undefined {
  try {
    return readConfigFile(file);
  } catch {
    return undefined;
  }
}

/** Reads an open file to its end, refusing it past `maxConfigBytes`: its size may be wrong (/proc says 0) or grow. */
function boundedRead(fd: number, name: string): string {
  const stats = fstatSync(fd);
  if (!stats.isFile()) throw notRegular(name, stats);
  const { size } = stats;
  if (size > maxConfigBytes) throw tooLarge(name, formatBytes(size));
  let buffer = Buffer.allocUnsafe(size + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxConfigBytes) throw tooLarge(name, `more than ${formatBytes(maxConfigBytes)}`);
      // More than the size said: room for the most it may hold, and one byte to tell it went past.
      const larger = Buffer.allocUnsafe(maxConfigBytes + 1);
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) return buffer.toString('utf8', 0, length);
    length += read;
  }
}

function notRegular(name: string, stats: Stats): UserError {
  return new UserError(`${name} is ${specialKind(stats)}: a configuration file must be a regular file`);
}

function tooLarge(name: string, size: string): UserError {
  return new UserError(`${name} is ${size}: a configuration file is at most ${formatBytes(maxConfigBytes)}`);
}

/** A size to a tenth, rounded up: one past the limit never reads as the limit. */
function formatBytes(bytes: number): string {
  const [unit, scale] = bytes >= 1e9 ? ['GB', 1e9] : bytes >= 1e6 ? ['MB', 1e6] : ['kB', 1e3];
  const tenths = Math.ceil(bytes / (scale / 10));
  return `${unit === 'GB' ? (tenths / 10).toFixed(1) : tenths / 10} ${unit}`;
}

function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function specialKind(stats: Stats): string {
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}
