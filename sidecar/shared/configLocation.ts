import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'jsonc-parser';

/** The file name every workspace uses unless told otherwise. */
export const configFileName = 'partycost.json';

/** The YAML file of a kind in a config directory: `NAME.yaml`, else `NAME.yml`. */
export function crewFile(dir: string, base: 'agents' | 'tasks', exists: (file: string) => boolean): string {
  const yml = path.join(dir, `${base}.yml`);
  return !exists(path.join(dir, `${base}.yaml`)) && exists(yml) ? yml : path.join(dir, `${base}.yaml`);
}

/** Where a workspace's agent configuration comes from: partycost.json (which may point at a crew) or a CrewAI project. */
export type ConfigLocation = { kind: 'partycost'; file: string } | { kind: 'crewai'; dir: string };

const isFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** Whether a directory is a CrewAI config directory: agents.yaml and tasks.yaml (or .yml) side by side. */
export function isCrewDir(dir: string): boolean {
  return isFile(crewFile(dir, 'agents', isFile)) && isFile(crewFile(dir, 'tasks', isFile));
}

/**
 * A CrewAI layout in a workspace, as `crewai create crew` writes it (`src/<name>/config/`), or `config/` or the root:
 * the first found, projects in name order.
 */
export function findCrew(workspace: string): string | undefined {
  const candidates = [path.join(workspace, 'config')];
  try {
    const src = path.join(workspace, 'src');
    for (const name of readdirSync(src).sort()) candidates.push(path.join(src, name, 'config'));
  } catch {
    // no src/
  }
  candidates.push(workspace);
  return candidates.find(isCrewDir);
}

/**
 * The configuration a command or window uses. `explicit` (`--config`, the setting `partycost.configPath`) may name a
 * partycost.json, a CrewAI config directory, or one of its YAML files. Without it, or when `detect` is set and it does
 * not exist: partycost.json in the workspace, else a CrewAI layout, else partycost.json (missing: commands say so).
 */
export function locateConfig(workspace: string, explicit?: string, detect = explicit === undefined): ConfigLocation {
  if (explicit !== undefined) {
    if (/\.ya?ml$/i.test(explicit) && /^(agents|tasks)\./i.test(path.basename(explicit))) return { kind: 'crewai', dir: path.dirname(explicit) };
    if (existsSync(explicit) && !isFile(explicit)) {
      if (isFile(path.join(explicit, configFileName))) return { kind: 'partycost', file: path.join(explicit, configFileName) };
      if (isCrewDir(explicit)) return { kind: 'crewai', dir: explicit };
      const crew = findCrew(explicit);
      if (crew) return { kind: 'crewai', dir: crew };
    }
    if (!detect || existsSync(explicit)) return { kind: 'partycost', file: explicit };
  }
  const file = path.join(workspace, configFileName);
  if (isFile(file)) return { kind: 'partycost', file };
  const crew = findCrew(workspace);
  return crew ? { kind: 'crewai', dir: crew } : { kind: 'partycost', file: explicit ?? file };
}

/** The crew a partycost.json points at with `"crew"`, as an absolute directory, read from its text. */
export function crewPointer(file: string, text: string): string | undefined {
  const value = parse(text, [], { allowTrailingComma: true }) as { crew?: unknown } | undefined;
  return typeof value?.crew === 'string' && value.crew.trim() ? path.resolve(path.dirname(file), value.crew) : undefined;
}

/** Every file a location's configuration is read from (those that exist), the main one first. */
export function sourceFiles(location: ConfigLocation, read: (file: string) => string | undefined = readIfFile): string[] {
  const crewFiles = (dir: string): string[] => [crewFile(dir, 'tasks', isFile), crewFile(dir, 'agents', isFile), path.join(path.dirname(dir), 'main.py')];
  if (location.kind === 'crewai') return crewFiles(location.dir).filter(isFile);
  const text = read(location.file);
  if (text === undefined) return [];
  const crew = crewPointer(location.file, text);
  return [location.file, ...(crew ? crewFiles(crew).filter(isFile) : [])];
}

/** The main file of a location: partycost.json, or a crew's tasks.yaml. */
export function mainFile(location: ConfigLocation): string {
  return location.kind === 'partycost' ? location.file : crewFile(location.dir, 'tasks', isFile);
}

export function readIfFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
