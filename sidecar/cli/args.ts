import { parseArgs } from 'node:util';
import path from 'node:path';
import { CliError, exitCodes } from './errors';

/** Flags every command understands (DESIGN.md §11), plus each command's own. */
const options = {
  workspace: { type: 'string' },
  db: { type: 'string' },
  redis: { type: 'string' },
  json: { type: 'boolean' },
  config: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export interface CliArgs {
  command: string | undefined;
  positionals: string[];
  workspace: string;
  json: boolean;
  force: boolean;
  help: boolean;
  version: boolean;
  config?: string;
  db?: string;
  redis?: string;
}

export function parseCliArgs(argv: string[], cwd: string): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message.replace(/\. To specify.*$/s, '')}; run "partycost --help"`, exitCodes.usage);
  }
  const { values, positionals } = parsed;
  return {
    command: positionals[0],
    positionals: positionals.slice(1),
    workspace: path.resolve(cwd, values.workspace ?? '.'),
    json: values.json ?? false,
    force: values.force ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    config: values.config,
    db: values.db,
    redis: values.redis,
  };
}
