import { existsSync } from 'node:fs';
import path from 'node:path';
import { configFileName, loadConfigFile, problemLines } from '../sources/load';
import type { LoadedConfig } from '../sources/load';
import type { PartyConfig } from '../config/schema';
import type { CliArgs } from './args';
import { CliError } from './errors';

/** The configuration file a command uses: `--config FILE`, else `partycost.json` in the workspace. */
export function configPath(args: CliArgs, cwd: string): string {
  return args.config ? path.resolve(cwd, args.config) : path.join(args.workspace, configFileName);
}

/** How a path is shown to the user: relative to where they are, when it is below it. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** A valid configuration, or a CliError listing every problem as `file:line:column: message`. */
export function requireConfig(args: CliArgs, cwd: string, warn: (line: string) => void): LoadedConfig & { config: PartyConfig } {
  const file = configPath(args, cwd);
  const shown = displayPath(file, cwd);
  if (!existsSync(file)) {
    throw new CliError(`partycost: no configuration at ${shown}; run "partycost init" to write the sample, or pass --config FILE`);
  }
  const loaded = loadConfigFile(file, shown);
  const lines = problemLines(loaded);
  if (!loaded.config) {
    const errors = loaded.problems.filter((p) => p.severity === 'error').length;
    throw new CliError(`partycost: ${shown} has ${errors} problem${errors === 1 ? '' : 's'}`, 1, lines);
  }
  lines.forEach(warn);
  return loaded as LoadedConfig & { config: PartyConfig };
}
