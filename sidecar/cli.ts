import { parseCliArgs } from './cli/args';
import type { CliArgs } from './cli/args';
import { CliError, exitCodes } from './cli/errors';
import { estimateCommand } from './cli/estimateCommand';
import { initCommand } from './cli/initCommand';
import { processOutput } from './cli/output';
import type { Output } from './cli/output';
import { configJsonSchema } from './config/schema';

declare const PARTYCOST_VERSION: string;

type Command = (args: CliArgs, cwd: string, out: Output) => void | Promise<void>;

const commands: Record<string, Command> = {
  init: initCommand,
  estimate: estimateCommand,
  schema: (_args, _cwd, out) => out.json(configJsonSchema()),
};

const usage = `partycost: what a multi-agent plan costs, what an edit re-runs, what the cache saves

Usage: partycost <command> [options]

Commands:
  init                      write the party-planner sample partycost.json (--force to overwrite)
  estimate [--config FILE]  cost per agent (tokens, per run, per component), per party, per month
  schema                    print the JSON Schema of partycost.json

Options:
  --workspace DIR   the workspace (default: the current directory)
  --config FILE     the configuration (default: partycost.json in the workspace)
  --json            machine-readable output on stdout
  --help, --version

Exit codes: 0 ok, 1 the work failed (e.g. a broken configuration), 2 a wrong command line.`;

export async function main(argv: string[], cwd = process.cwd(), out: Output = processOutput): Promise<number> {
  try {
    const args = parseCliArgs(argv, cwd);
    if (args.version) return out.line(typeof PARTYCOST_VERSION === 'string' ? PARTYCOST_VERSION : 'dev'), exitCodes.ok;
    if (args.help || args.command === undefined || args.command === 'help') return out.line(usage), exitCodes.ok;
    const command = commands[args.command];
    if (!command) throw new CliError(`partycost: unknown command "${args.command}"; run "partycost --help"`, exitCodes.usage);
    await command(args, cwd, out);
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    error.details.forEach((line) => out.warn(line));
    out.warn(error.message);
    return error.exitCode;
  }
}

/** Runs the CLI as a process: the exit code becomes the process's, an unexpected error is reported, never silent. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`partycost: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = exitCodes.failure;
    },
  );
}
