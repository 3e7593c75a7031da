import { UserError } from '../contract/errors';
import type { AgentProgress } from '../contract/plan';
import type { PartyInput } from '../contract/party';
import type { PartyEvent } from '../contract/party';
import { integerFlag, listFlag, positionals } from './args';
import type { PartyService } from '../service/partyService';
import type { CommandContext } from './context';
import { requireConfig } from './context';
import { CliError, exitCodes } from './errors';
import { planSummary, printPlan, printRunReport } from './planOutput';
import { dollars, table } from './table';

type Command = (ctx: CommandContext) => Promise<void>;

/** The party commands for the workspace's configuration, with the result cache connected. */
async function partiesOf(ctx: CommandContext): Promise<PartyService> {
  const parties = ctx.ws.parties(requireConfig(ctx));
  await ctx.ws.connectedCache();
  return parties;
}

function routed(input: PartyInput): string {
  return `${input.id} "${input.text}" → ${input.agents.length ? input.agents.join(', ') : 'no agent (it changes nothing)'}`;
}

/** `party create [--name N] [--input TEXT]...` and `party list`. */
export const partyCommand: Command = async (ctx) => {
  const { args, out } = ctx;
  const [verb] = positionals(args, 1, 'party create [--name N] [--input TEXT]... | party list');
  if (verb === 'create') {
    const created = (await partiesOf(ctx)).create(args.flags.name as string | undefined, listFlag(args, 'input'));
    if (args.json) return out.json({ party: created.party.id, name: created.party.name, inputs: created.inputs });
    out.line(`Created party ${created.party.id} ("${created.party.name}")`);
    created.inputs.forEach((input) => out.line(`  ${routed(input)}`));
    out.line(`Next: partycost plan ${created.party.id}`);
  } else if (verb === 'list') {
    const list = (await partiesOf(ctx)).list();
    if (args.json) return out.json({ parties: list });
    if (!list.length) return out.line('No parties yet: partycost party create --input "jungle theme"');
    const rows = list.map((p) => [
      p.id,
      p.name,
      p.status,
      String(p.inputs),
      String(p.results),
      String(p.snapshots),
      String(p.events),
      p.updatedAt.slice(0, 19).replace('T', ' '),
    ]);
    table(['party', 'name', 'status', 'inputs', 'results', 'snapshots', 'events', 'updated (UTC)'], rows, [
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      false,
    ]).forEach((l) => out.line(l));
  } else {
    throw new CliError(`partycost: unknown party command "${verb}"; use "party create" or "party list"`, exitCodes.usage);
  }
};

/** `input add PARTY TEXT` and `input remove PARTY INPUT_ID`. */
export const inputCommand: Command = async (ctx) => {
  const { args, out } = ctx;
  const [verb, party, value] = positionals(args, 3, 'input add PARTY TEXT | input remove PARTY INPUT_ID');
  if (verb !== 'add' && verb !== 'remove') throw new CliError(`partycost: unknown input command "${verb}"; use "input add" or "input remove"`, exitCodes.usage);
  const parties = await partiesOf(ctx);
  const input = verb === 'add' ? parties.addInput(party, value) : parties.removeInput(party, value);
  if (args.json) return out.json(input);
  out.line(verb === 'add' ? `Added ${routed(input)}` : `Removed ${input.id} "${input.text}" (it was routed to ${input.agents.join(', ') || 'no agent'})`);
};

/** `plan PARTY [--force AGENT]...`: the delta plan; runs nothing. */
export const planCommand: Command = async (ctx) => {
  const { args, out } = ctx;
  const [party] = positionals(args, 1, 'plan PARTY [--force AGENT]...');
  const plan = await (await partiesOf(ctx)).plan(party, listFlag(args, 'force'));
  if (args.json) return out.json(plan);
  out.line(`Delta plan for party ${party}`);
  out.line('');
  printPlan(plan, out);
};

/** `run PARTY [--force AGENT]...`: executes the delta plan; Ctrl-C cancels, keeping what finished. */
export const runCommand: Command = async (ctx) => {
  const { args, out } = ctx;
  const [party] = positionals(args, 1, 'run PARTY [--force AGENT]... [--concurrency N] [--no-wait]');
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  try {
    const note = requireConfig(ctx).runNote;
    if (note && !args.json) out.line(note);
    const parties = await partiesOf(ctx);
    const report = await parties.run(party, {
      wait: args.flags['no-wait'] !== true,
      onWait: (holder) => out.warn(`partycost: party ${party} is being run by ${holder}; waiting for it to finish (--no-wait refuses instead)`),
      onStart: async () => {
        if (!args.json) out.line(`Running party ${party}: ${planSummary(await parties.plan(party, listFlag(args, 'force')))}`);
      },
      force: listFlag(args, 'force'),
      concurrency: integerFlag(args, 'concurrency'),
      signal: controller.signal,
      onProgress: (p) => {
        if (args.json || p.state === 'started') return;
        out.line(`  ${progressLine(p)}`);
      },
    });
    if (args.json) out.json(report);
    else printRunReport(report, out);
    if (report.refused) throw new CliError(`partycost: ${report.refused}`);
  } catch (error) {
    if (error instanceof UserError && error.kind === 'run-failed')
      throw new CliError(`partycost: ${error.message}; finished agents are kept, run again to retry the rest`);
    if (error instanceof UserError && error.kind !== 'failure') throw new CliError(`partycost: ${error.message}`);
    throw error;
  } finally {
    process.removeListener('SIGINT', cancel);
  }
};

function progressLine(p: AgentProgress): string {
  if (p.state === 'failed') return `✘ ${p.agent} failed (${p.cause}): ${p.error}`;
  if (p.action === 'delete') return `✔ ${p.agent} result deleted (${p.cause})`;
  if (p.action === 'cache_hit') return `✔ ${p.agent} from the ${p.tier} cache`;
  if (p.action === 'blocked') return `⏸ ${p.agent} blocked (${p.cause})${p.error && p.cause !== 'upstream blocked' ? '' : `: ${p.error}`}`;
  return `✔ ${p.agent} executed (${p.cause}) ${dollars(p.costUsd ?? 0)}`;
}

/** `save PARTY [--type draft|final]`. */
export const saveCommand: Command = async (ctx) => {
  const { args, out } = ctx;
  const [party] = positionals(args, 1, 'save PARTY [--type draft|final]');
  const type = (args.flags.type as string | undefined) ?? 'draft';
  if (type !== 'draft' && type !== 'final') throw new CliError(`partycost: --type is draft or final, not "${type}"`, exitCodes.usage);
  const snapshot = (await partiesOf(ctx)).save(party, type);
  if (args.json) return out.json({ party, ...snapshot });
  out.line(`Saved party ${party} as snapshot version ${snapshot.version} (${snapshot.type}), covering events 1–${snapshot.seq}`);
};

/** `resume PARTY [--version N]`: restores a snapshot (+ later events) and shows the delta plan. */
export const resumeCommand: Command = async (ctx) => {
  const { args, out } = ctx;
  const [party] = positionals(args, 1, 'resume PARTY [--version N]');
  const resumed = await (await partiesOf(ctx)).resume(party, integerFlag(args, 'version'));
  if (args.json) return out.json(resumed);
  const source = resumed.fromVersion === null ? 'its events (no snapshot yet)' : `snapshot version ${resumed.fromVersion}`;
  out.line(`Resumed party ${party} from ${source}${resumed.eventsReplayed ? ` + ${resumed.eventsReplayed} later events` : ''}`);
  out.line('');
  printPlan(resumed.plan, out);
  out.line(`Next: partycost run ${party}`);
};

/** `history PARTY`: snapshots and events. */
export const historyCommand: Command = async (ctx) => {
  const { args, out } = ctx;
  const [party] = positionals(args, 1, 'history PARTY');
  const history = (await partiesOf(ctx)).history(party);
  if (args.json) return out.json({ party, snapshots: history.snapshots, events: history.events });
  out.line(`Party ${party} ("${history.party.name}"), ${history.party.status}`);
  out.line('');
  out.line('Snapshots:');
  if (!history.snapshots.length) out.line('  none yet (partycost save writes one; one is also written every 10 events)');
  history.snapshots.forEach((s) => out.line(`  v${s.version}  ${s.type.padEnd(5)}  covers events 1–${s.seq}  ${s.at.slice(0, 19).replace('T', ' ')}`));
  out.line('');
  out.line('Events:');
  history.events.forEach((e) => out.line(`  ${String(e.seq).padStart(4)}  ${e.at.slice(0, 19).replace('T', ' ')}  ${describeEvent(e.event)}`));
};

export function describeEvent(event: PartyEvent): string {
  switch (event.type) {
    case 'party_created':
      return `party created ("${event.name}")`;
    case 'input_added':
      return `input added: ${routed(event.input)}`;
    case 'input_removed':
      return `input removed: ${event.inputId}`;
    case 'agent_completed':
      return `agent completed: ${event.result.agent} (${event.result.usage.inputTokens} in, ${event.result.usage.outputTokens} out, ${dollars(event.result.costUsd)}, ${event.result.usage.source}${
        event.result.context?.prunedTokens ? `; ${event.result.context.prunedTokens} upstream tokens pruned to fit ${event.result.context.budget}` : ''
      })`;
    case 'agent_result_deleted':
      return `agent result deleted: ${event.agent}`;
    case 'configuration_changed':
      return `configuration changed (${event.configHash.slice(0, 12)})`;
    case 'run_completed':
      return `run completed: executed ${event.executed.join(', ') || 'nothing'}${event.deleted.length ? `; deleted ${event.deleted.join(', ')}` : ''}`;
    case 'snapshot_saved':
      return `snapshot saved: version ${event.version} (${event.snapshotType})`;
    case 'party_resumed':
      return `resumed from snapshot version ${event.version}`;
  }
}
