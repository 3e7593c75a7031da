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
  estimate: { against: { type: 'string' }, 'max-per-party': { type: 'string' }, 'max-increase': { type: 'string' } },
  diff: {
    base: { type: 'string' },
    head: { type: 'string' },
    format: { type: 'string' },
    'max-per-party': { type: 'string' },
    'max-increase': { type: 'string' },
  },
  comment: {
    base: { type: 'string' },
    head: { type: 'string' },
    repo: { type: 'string' },
    pr: { type: 'string' },
    project: { type: 'string' },
    mr: { type: 'string' },
    'max-per-party': { type: 'string' },
    'max-increase': { type: 'string' },
  },
  party: { name: { type: 'string' }, input: { type: 'string', multiple: true } },
  plan: { force: { type: 'string', multiple: true } },
  run: { force: { type: 'string', multiple: true }, concurrency: { type: 'string' }, 'no-wait': { type: 'boolean' } },
  save: { type: { type: 'string' } },
  resume: { version: { type: 'string' } },
  cache: { agent: { type: 'string' }, party: { type: 'string' } },
  serve: { stdio: { type: 'boolean' } },
  prices: { update: { type: 'boolean' }, provider: { type: 'string' }, all: { type: 'boolean' } },
  ledger: { since: { type: 'string' } },
  impact: { against: { type: 'string' }, 'by-party': { type: 'boolean' } },
  refresh: { parties: { type: 'string' }, batch: { type: 'boolean' } },
  advise: { apply: { type: 'string' } },
  collect: { port: { type: 'string' }, host: { type: 'string' } },
  import: { format: { type: 'string' } },
  trust: { list: { type: 'boolean' }, remove: { type: 'boolean' } },
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

/** Node's parseArgs errors in one line: the first sentence, and its hint for values that start with a dash. */
function usageError(error: unknown): CliError {
  const lines = (error as Error).message.split('\n');
  const hint = lines.find((line) => line.startsWith('To specify an option argument starting with a dash'));
  const first = (lines[0] ?? '').replace(/\. To specify.*$/, '').replace(/\.$/, '');
  const message = hint ? `${first} (${hint.replace(/^To specify/, 'to give').replace(/\.$/, '')})` : first;
  return new CliError(`partycost: ${message}; run "partycost --help"`, exitCodes.usage);
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

/**
 * A non-negative decimal flag (`0.01`, `10`, `.5`), or a usage error naming it. `unit` may be written with it:
 * a leading `$` for amounts, a trailing `%` for percentages.
 */
export function decimalFlag(args: CliArgs, name: string, unit: '$' | '%'): number | undefined {
  const value = args.flags[name];
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const bare = unit === '$' ? text.replace(/^\$/, '') : text.replace(/\s*%$/, '');
  const number = Number(bare);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(bare) || !Number.isFinite(number)) {
    const kind = unit === '$' ? 'a non-negative amount in USD (e.g. 0.01)' : 'a non-negative percentage (e.g. 10)';
    throw new CliError(`partycost: --${name} takes ${kind}, not "${String(value)}"`, exitCodes.usage);
  }
  return number;
}

export function listFlag(args: CliArgs, name: string): string[] {
  return (args.flags[name] as string[] | undefined) ?? [];
}

/** The command's positional arguments, or a usage error that shows how to call it. */
export function positionals(args: CliArgs, count: 1, usage: string): [string];
export function positionals(args: CliArgs, count: 3, usage: string): [string, string, string];
export function positionals(args: CliArgs, count: number, usage: string): string[] {
  if (args.positionals.length !== count) throw new CliError(`partycost: usage: partycost ${usage}`, exitCodes.usage);
  return args.positionals;
}
