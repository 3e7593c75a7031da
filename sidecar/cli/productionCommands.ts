import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../contract/errors';
import { startCollector } from '../service/collector';
import { isLoopback } from '../shared/loopback';
import { importFile, importFormats, mapAgent, unattributedAgents } from '../service/productionService';
import type { ImportFormat, IngestReport } from '../service/productionService';
import type { CommandContext } from './context';
import { displayPath } from './context';
import { CliError, exitCodes } from './errors';
import { integer, table, usd } from './table';

/**
 * `partycost collect [--port 4318] [--host 127.0.0.1]`: an OTLP/HTTP receiver until SIGINT or SIGTERM, printing what
 * it records as it goes. Loopback only unless another host is asked for, and then it says so.
 */
export async function collectCommand(ctx: CommandContext): Promise<void> {
  const { args, out, ws } = ctx;
  const port = portFlag(args.flags.port);
  const host = typeof args.flags.host === 'string' ? args.flags.host : '127.0.0.1';
  ws.store();
  const totals = { batches: 0, calls: 0, recorded: 0, costUsd: 0 };
  const collector = await startCollector(ws, {
    port,
    host,
    onBatch: (report, spans) => {
      totals.batches++;
      totals.calls += report.calls;
      totals.recorded += report.recorded;
      totals.costUsd += report.costUsd;
      if (args.json) out.line(JSON.stringify({ spans, ...report }));
      else out.line(batchLine(report, spans));
    },
    onRefused: (status, reason) => out.warn(`partycost: refused a request (${status}): ${reason}`),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UserError(`port ${port} on ${host} is in use: pass --port`);
    if (error.code === 'EACCES') throw new UserError(`not allowed to listen on ${host}:${port}: pass another --port`);
    throw error;
  });
  if (!args.json) {
    out.line(`Collecting OTLP traces at ${collector.url} into ${displayPath(ws.databaseFile, ctx.cwd)}; Ctrl-C stops`);
    if (!isLoopback(collector.host)) out.warn(`partycost: listening on ${collector.host}: any machine that reaches it can write to this ledger`);
  } else out.line(JSON.stringify({ listening: collector.url }));
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await collector.close();
  if (!args.json)
    out.line(
      `Stopped: ${integer(totals.batches)} batches, ${integer(totals.recorded)} calls recorded (${integer(totals.calls - totals.recorded)} seen before), ${usd(totals.costUsd)}`,
    );
}

/** One line per batch: its spans, its new calls, and whose they are. */
function batchLine(report: IngestReport, spans: number): string {
  const agents = report.agents
    .map((a) => `${a.agent}${a.attributed ? '' : ' (unattributed)'} ${a.runs} run${a.runs === 1 ? '' : 's'} ${usd(a.costUsd)}`)
    .join(', ');
  const repeated = report.duplicates ? `, ${report.duplicates} seen before` : '';
  return `${integer(spans)} spans: ${integer(report.recorded)} calls recorded${repeated}; ${agents || 'no model calls'}`;
}

function portFlag(value: unknown): number {
  if (value === undefined) return 4318;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`partycost: --port takes a port number (0–65535), not "${String(value)}"`, exitCodes.usage);
  return port;
}

/**
 * `partycost import FILE… [--format otlp-json|litellm|langfuse]`: exports of where agents really ran, into the ledger,
 * once each; unreadable records are named by line, the others recorded.
 */
export function importCommand(ctx: CommandContext): void {
  const { args, out, ws } = ctx;
  if (args.positionals.length === 0) throw new CliError('partycost: import takes the files to read: partycost import FILE…', exitCodes.usage);
  const format = args.flags.format;
  if (format !== undefined && !importFormats.includes(format as ImportFormat)) {
    throw new CliError(`partycost: --format takes ${importFormats.join(', ')}, not "${String(format)}"`, exitCodes.usage);
  }
  const results = args.positionals.map((file) => {
    const full = path.resolve(ctx.cwd, file);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (error) {
      throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    try {
      return importFile(ws, file, text, format as ImportFormat | undefined);
    } catch (error) {
      if (error instanceof Error && error.name === 'ImportFormatError') throw new UserError(`${file}: ${error.message}`);
      throw error;
    }
  });
  if (args.json) {
    out.json({ files: results });
    return;
  }
  for (const result of results) {
    const r = result.report;
    out.line(
      `${result.file} (${result.format}): ${integer(result.records)} records, ${integer(r.calls)} calls in ${integer(r.runs)} runs; ${integer(r.recorded)} recorded, ${integer(r.duplicates)} seen before`,
    );
    for (const problem of result.problems) out.warn(`${result.file}:${problem.line}: ${problem.message}`);
    if (r.agents.length) {
      const rows = r.agents.map((a) => [
        a.agent,
        a.attributed ? (a.via ?? '') : `unattributed: ${a.reason}`,
        integer(a.runs),
        integer(a.calls),
        usd(a.costUsd),
      ]);
      table(['agent', 'attributed by', 'runs', 'calls', 'cost'], rows, [false, false, true, true, true]).forEach((line) => out.line(`  ${line}`));
    }
    const reported = r.reportedCostUsd === null ? '' : `; the source reported ${usd(r.reportedCostUsd)} (${diff(r.costUsd, r.reportedCostUsd)})`;
    out.line(`  at catalogue prices: ${usd(r.costUsd)}${reported}`);
    if (r.unpriced.length) out.line(`  not in the price catalogue (recorded at the source's cost, else $0): ${r.unpriced.join(', ')}`);
  }
}

/** Ours against the source's, in percent of the source's. */
function diff(ours: number, reported: number): string {
  if (reported === 0) return ours === 0 ? 'the same' : 'the source reported nothing';
  const percent = ((ours - reported) / reported) * 100;
  return Math.abs(percent) < 0.05 ? 'the same' : `ours ${percent > 0 ? '+' : ''}${percent.toFixed(1)} %`;
}

/**
 * `partycost agents` lists the agents traces named that match no configured one; `partycost agents map NAME AGENT`
 * makes them the agent's, for the calls recorded and those to come.
 */
export function agentsCommand(ctx: CommandContext): void {
  const { args, out, ws } = ctx;
  const [action, name, agent] = args.positionals;
  if (action === 'map') {
    if (!name || !agent) throw new CliError('partycost: agents map NAME AGENT: the name traces use, and the configured agent it is', exitCodes.usage);
    const { moved } = mapAgent(ws, name, agent);
    if (args.json) out.json({ name, agent, moved });
    else out.line(`"${name}" is ${agent} from now on; ${integer(moved)} recorded calls moved to it`);
    return;
  }
  if (action !== undefined) throw new CliError(`partycost: unknown agents action "${action}": agents, or agents map NAME AGENT`, exitCodes.usage);
  const agents = unattributedAgents(ws);
  if (args.json) {
    out.json({ unattributed: agents });
    return;
  }
  if (!agents.length) {
    out.line('Every traced agent is attributed to a configured one.');
    return;
  }
  out.line('Agents traces named that match no configured agent (partycost agents map NAME AGENT attributes one):');
  table(
    ['name', 'runs', 'calls', 'cost', 'last seen'],
    agents.map((a) => [a.name, integer(a.runs), integer(a.calls), usd(a.costUsd), a.lastAt.slice(0, 19).replace('T', ' ')]),
    [false, true, true, true, false],
  ).forEach((line) => out.line(line));
}
