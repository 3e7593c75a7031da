import path from 'node:path';
import { configFileName, loadConfig, problemLines } from '../sources/load';
import type { LoadedConfig } from '../sources/load';
import { locateConfig, mainFile, sourceFiles } from '../shared/configLocation';
import type { ConfigLocation } from '../shared/configLocation';
import type { PartyConfig } from '../config/schema';
import type { CliArgs } from './args';
import { CliError, exitCodes } from './errors';

/** The file `init` writes: `--config FILE`, else `partycost.json` in the workspace. */
export function configPath(args: CliArgs, cwd: string): string {
  return args.config ? path.resolve(cwd, args.config) : path.join(args.workspace, configFileName);
}

/**
 * The configuration a command uses: `--config` (a partycost.json, or a CrewAI config directory or YAML file), else
 * the workspace's partycost.json, else a CrewAI project in the workspace.
 */
export function configLocation(args: CliArgs, cwd: string): ConfigLocation {
  return locateConfig(args.workspace, args.config ? path.resolve(cwd, args.config) : undefined);
}

/** How a path is shown to the user: relative to where they are, when it is below it. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** A valid configuration, or a CliError listing every problem as `file:line:column: message`. */
export function requireConfig(args: CliArgs, cwd: string, warn: (line: string) => void): LoadedConfig & { config: PartyConfig } {
  const location = configLocation(args, cwd);
  if (sourceFiles(location).length === 0) {
    const shown = displayPath(mainFile(location), cwd);
    throw new CliError(`partycost: no configuration at ${shown}; run "partycost init" to write the sample, or pass --config FILE (a partycost.json or a CrewAI config directory)`);
  }
  const loaded = loadConfig(location, { display: (file) => displayPath(file, cwd) });
  if (!loaded.config) throw configProblems(loaded);
  problemLines(loaded).forEach(warn);
  return loaded as LoadedConfig & { config: PartyConfig };
}

/** A configuration that did not load, as the CLI says it: how many problems, then each as `file:line:column: message`. */
export function configProblems(loaded: LoadedConfig): CliError {
  const errors = loaded.problems.filter((p) => p.severity === 'error').length;
  return new CliError(`partycost: ${loaded.file} has ${errors} problem${errors === 1 ? '' : 's'}`, exitCodes.failure, problemLines(loaded));
}
