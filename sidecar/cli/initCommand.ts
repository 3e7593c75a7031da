import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'jsonc-parser';
import { sampleConfig } from '../config/sample';
import type { CliArgs } from './args';
import { configPath, displayPath } from './configFile';
import { CliError } from './errors';
import type { Output } from './output';

/** `partycost init [--force]`: writes the party-planner sample; never overwrites without --force. */
export function initCommand(args: CliArgs, cwd: string, out: Output): void {
  const file = configPath(args, cwd);
  const shown = displayPath(file, cwd);
  if (existsSync(file) && args.flags.force !== true) {
    throw new CliError(`partycost: ${shown} already exists; pass --force to overwrite it`);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, sampleConfig);
  const agents = Object.keys((parse(sampleConfig) as { agents: object }).agents);
  if (args.json) out.json({ file, agents });
  else out.line(`Wrote ${shown}: the party-planner sample (${agents.length} agents: ${agents.join(', ')}). Next: partycost estimate`);
}
