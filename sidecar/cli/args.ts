import { parseArgs } from 'node:util';
import path from 'node:path';
import { CliError, exitCodes } from './errors';

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

/** Flags every command understands (DESIGN.md §11). */
const globalOptions: Record<string, OptionSpec> = {
  workspace: { type: 'string' },
  db: { type: 'string' },
  redis: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Each command's own flags. */
const commandOptions: Record<string, Record<string, OptionSpec>> = {
  init: { force: { type: 'boolean' } },
  party: { name: { type: 'string' }, input: { type: 'string', multiple: true } },
  plan: { force: { type: 'string', multiple: true } },
  run: { force: { type: 'string', multiple: true }, concurrency: { type: 'string' } },
  save: { type: { type: 'string' } },
  resume: { version: { type: 'string' } },
  cache: { agent: { type: 'string' }, party: { type: 'string' } },
  serve: { stdio: { type: 'boolean' } },
};

export interface CliArgs {
  command: string | undefined;
  positionals: string[];
  workspace: string;
  json: boolean;
  help: boolean;
  config?: string;
  db?: string;
  redis?: string;
  /** The command's own flags, by name. */
  flags: Record<string, string | boolean | string[] | undefined>;
}

function usageError(error: unknown): CliError {
  return new CliError(`partycost: ${(error as Error).message.replace(/\. To specify.*$/s, '')}; run "partycost --help"`, exitCodes.usage);
}

export function parseCliArgs(argv: string[], cwd: string): CliArgs {
  try {
    // The command decides which flags exist, so find it first with a lenient pass.
    const command = parseArgs({ args: argv, options: globalOptions, allowPositionals: true, strict: false }).positionals[0];
    const options = { ...globalOptions, ...(command ? commandOptions[command] : {}) };
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    const text = (name: string): string | undefined => values[name] as string | undefined;
    return {
      command,
      positionals: positionals.slice(1),
      workspace: path.resolve(cwd, text('workspace') ?? '.'),
      json: values.json === true,
      help: values.help === true,
      config: text('config'),
      db: text('db'),
      redis: text('redis'),
      flags: values as CliArgs['flags'],
    };
  } catch (error) {
    throw usageError(error);
  }
}

/** A whole number flag, or a usage error naming it. */
export function integerFlag(args: CliArgs, name: string): number | undefined {
  const value = args.flags[name];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new CliError(`partycost: --${name} takes a whole number, not "${String(value)}"`, exitCodes.usage);
  return number;
}

export function listFlag(args: CliArgs, name: string): string[] {
  return (args.flags[name] as string[] | undefined) ?? [];
}

/** The command's positional arguments, or a usage error that shows how to call it. */
export function positionals(args: CliArgs, count: number, usage: string): string[] {
  if (args.positionals.length !== count) throw new CliError(`partycost: usage: partycost ${usage}`, exitCodes.usage);
  return args.positionals;
}
