import { parseCliArgs } from './args';
import type { CliArgs } from './args';
import { CliError, exitCodes } from './errors';
import { budgetCommand } from './budgetCommand';
import { cacheCommand } from './cacheCommand';
import { demoCommand } from './demoCommand';
import { estimateCommand } from './estimateCommand';
import { diffCommand } from './diffCommand';
import { commentCommand } from './commentCommand';
import { initCommand } from './initCommand';
import { historyCommand, inputCommand, partyCommand, planCommand, resumeCommand, runCommand, saveCommand } from './partyCommands';
import { pricesCommand } from './pricesCommand';
import { ledgerCommand } from './ledgerCommand';
import { accuracyCommand } from './accuracyCommand';
import { impactCommand } from './impactCommand';
import { adviseCommand } from './adviseCommand';
import { refreshCommand } from './refreshCommand';
import { agentsCommand, collectCommand, importCommand } from './productionCommands';
import { trustCommand } from './trustCommand';
import { processOutput } from './output';
import type { Output } from './output';
import { workspaceOf } from './context';
import type { CommandContext } from './context';
import { UserError } from '../contract/errors';
import { keysIn, redact } from '../shared/redact';
import { serve } from '../server/server';
import { configSchema } from '../service/configService';
import type { Workspace } from '../service/workspace';

declare const PARTYCOST_VERSION: string;

type Command = (ctx: CommandContext) => void | Promise<void>;

const commands: Record<string, Command> = {
  init: initCommand,
  demo: demoCommand,
  estimate: estimateCommand,
  diff: diffCommand,
  comment: commentCommand,
  party: partyCommand,
  input: inputCommand,
  plan: planCommand,
  run: runCommand,
  save: saveCommand,
  resume: resumeCommand,
  history: historyCommand,
  cache: cacheCommand,
  budget: budgetCommand,
  prices: pricesCommand,
  ledger: ledgerCommand,
  accuracy: accuracyCommand,
  impact: impactCommand,
  advise: adviseCommand,
  refresh: refreshCommand,
  collect: collectCommand,
  import: importCommand,
  agents: agentsCommand,
  trust: trustCommand,
  schema: ({ out }) => out.json(configSchema()),
};

/** Commands that need no workspace (and no price catalogue). */
const standalone = new Set(['schema', 'serve']);
/** Commands that read and write no ledger (demo keeps its own, in a scratch folder). */
const offTheLedger = new Set(['init', 'demo', 'trust', 'diff', 'comment']);

const usage = `partycost: what a multi-agent plan costs, what an edit re-runs, what the cache saves

Usage: partycost <command> [options]

Commands:
  init [--force]                        write the party-planner sample partycost.json
  demo                                  the whole story on the sample, offline, in a scratch database
  estimate                              cost per agent (tokens, per run, per component), per party, per month
  estimate --against REV [--max-per-party USD] [--max-increase PERCENT]
                                        before → after a configuration change; exits 1 when a limit is crossed
  diff --base REV [--head REV] [--format table|json|markdown] [--max-increase PERCENT] [--max-per-party USD]
                                        per agent before → after (model, tokens, per run, per month) and what changed;
                                        the monthly change; what it re-runs in stored parties; exits 1 over a limit
  comment github --repo OWNER/NAME --pr N --base REV [diff's flags]
  comment gitlab [--project ID] [--mr IID] --base REV [diff's flags]
                                        the diff as one comment on the pull (merge) request, updated in place on every
                                        run, deleted when the change no longer affects cost (GITHUB_TOKEN, GITLAB_TOKEN)
  party create [--name N] [--input TEXT]...   create a party; prints its id and where each input routes
  party list                            the parties, their status, inputs, results and snapshots
  input add PARTY TEXT                  add an input; prints its id and the agents it routes to
  input remove PARTY INPUT_ID           remove an input
  plan PARTY [--force AGENT]...         the delta plan: what re-runs, what is reused, cost and savings; runs nothing
  run PARTY [--force AGENT]... [--no-wait] [--concurrency N]
                                        execute the delta plan (Ctrl-C cancels, keeping what finished), N agents at
                                        a time (default 4); waits while another process runs the party, or with
                                        --no-wait refuses
  save PARTY [--type draft|final]       write a snapshot
  resume PARTY [--version N]            restore a snapshot (+ later events) and show the plan
  history PARTY                         snapshots and events
  cache stats                           per-tier hits, misses, latency, entries, breaker state, and savings
  cache clear [--agent A] [--party P]   clear the result cache: everything, one agent, or one party's results
  budget                                spend per day, week and month against the limits; what the level allows
  ledger [PARTY] [--since DATE]         every execution: provider, model, usage by part, estimated and actual cost
  accuracy                              per agent: configured and learned estimates against actual runs; spend trend
  impact [--against REV] [--by-party]   what the configuration re-runs across every stored party, and its cost
  refresh [--batch] [--parties P1,P2,…] run the parties the configuration affects (or those listed); --batch: through
                                        the OpenAI and Anthropic batch APIs, level by level
  advise [--apply N]                    every change that would cut the bill, per agent, priced per month and ranked
                                        (prompt caching by vendor rules, models, Batch API, cache TTL, budgets);
                                        --apply N writes advice N's edit to partycost.json
  collect [--port 4318] [--host H]      receive OpenTelemetry traces (OTLP/HTTP, /v1/traces) of agents that run
                                        elsewhere: their calls into the ledger, attributed and priced; Ctrl-C stops
  import FILE... [--format F]           the same from exported files: OTLP JSON (the Collector's file exporter),
                                        LiteLLM spend logs, Langfuse observations (otlp-json, litellm, langfuse)
  agents [map NAME AGENT]               the agents traces named that match no configured one; map one to an agent
  trust [--list] [--remove]             let the endpoints this workspace's configuration names receive your API keys
                                        (kept outside the workspace); keys go nowhere else but the vendors' own
  prices [PATTERN] [--provider P] [--all]   models and their prices per 1M tokens, from the catalogue
  prices --update                       fetch the catalogue's newest prices and keep them in the workspace
  schema                                print the JSON Schema of partycost.json
  serve --stdio                         the sidecar: JSON-RPC on stdin/stdout (what the VS Code extension starts)

Options:
  --workspace DIR   the workspace (default: the current directory)
  --config FILE     the configuration: a partycost.json, or a CrewAI config directory (default: the workspace's
                    partycost.json, else its CrewAI project, src/<name>/config/)
  --db PATH         the database (default: PARTYCOST_DB, else .partycost/partycost.db in the workspace)
  --redis URL       a shared Redis cache tier (default: PARTYCOST_REDIS_URL; none if unset)
  --json            machine-readable output on stdout
  --help, --version

Exit codes: 0 ok, 1 the work failed (e.g. a broken configuration), 2 a wrong command line.`;

export async function main(argv: string[], cwd = process.cwd(), out: Output = processOutput): Promise<number> {
  let ws: Workspace | undefined;
  try {
    if (argv[0] === '--version') {
      out.line(typeof PARTYCOST_VERSION === 'string' ? PARTYCOST_VERSION : 'dev');
      return exitCodes.ok;
    }
    const args = parseCliArgs(argv, cwd);
    if (args.help || args.command === undefined || args.command === 'help') {
      out.line(usage);
      return exitCodes.ok;
    }
    if (args.command === 'serve') return await serveCommand(args);
    const command = commands[args.command];
    if (!command) throw new CliError(`partycost: unknown command "${args.command}"; run "partycost --help"`, exitCodes.usage);
    ws = workspaceOf(args, cwd, out);
    if (!standalone.has(args.command) && !offTheLedger.has(args.command)) ws.startTeam();
    if (!standalone.has(args.command)) {
      const problem = await ws.loadPrices();
      if (problem) out.warn(`partycost: ${problem}`);
    }
    // With a team ledger: what others recorded comes in first (a team ledger that does not answer within 50 ms is
    // left for the next command; what this one records waits in the spool).
    if (!standalone.has(args.command) && !offTheLedger.has(args.command)) await ws.syncTeam();
    await command({ args, cwd, out, ws });
    return exitCodes.ok;
  } catch (error) {
    const failure = ws ? ws.failure(error) : error;
    if (failure instanceof UserError) {
      failure.details.forEach((line) => out.warn(line));
      out.warn(`partycost: ${failure.message}`);
      return exitCodes.failure;
    }
    if (!(failure instanceof CliError)) throw failure;
    failure.details.forEach((line) => out.warn(line));
    out.warn(failure.message);
    return failure.exitCode;
  } finally {
    await ws?.close();
  }
}

/** `partycost serve --stdio`: the sidecar, until the client goes away. */
async function serveCommand(args: CliArgs): Promise<number> {
  if (args.flags.stdio !== true) throw new CliError('partycost: usage: partycost serve --stdio', exitCodes.usage);
  await serve();
  return exitCodes.ok;
}

/**
 * Runs the CLI as a process: the exit code becomes the process's, an unexpected error is reported, never silent.
 * Once the command is done and its output written, the process ends: a Redis that does not answer (or a socket still
 * closing) never keeps it waiting. A reader that closes the pipe early (`| head`) ends it quietly, as git does.
 */
/** The sidecar's trace receiver thread runs from this bundle too (see server/collectorThread). */
export { collectorThread } from '../server/collectorThread';

export function run(argv: string[]): void {
  quietOnClosedPipe();
  main(argv).then(
    (code) => exitWhenWritten(code),
    (error: unknown) => {
      process.stderr.write(
        redact(`partycost: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`, keysIn(process.env)),
      );
      exitWhenWritten(exitCodes.failure);
    },
  );
}

/**
 * A reader that went away (`| head`, a pager quit) ends the output, never the work: what is left to print is dropped
 * and the command goes on to its end, so a run that has started paying records every answer it paid for, then exits
 * as it would have (0 for a finished run), quietly.
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
      throw error;
    });
  }
}

function exitWhenWritten(code: number): void {
  process.exitCode = code;
  // A closed stream holds what it could not write for ever: only an open one is waited for.
  const pending = [process.stdout, process.stderr].filter((stream) => !stream.destroyed && stream.writableLength > 0);
  if (!pending.length) return void process.exit(code);
  let left = pending.length;
  for (const stream of pending) stream.once('drain', () => --left === 0 && process.exit(code));
}
