import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PartyInput } from '../contract/party';
import { adviceReport } from '../service/adviceService';
import { sampleLoaded } from '../service/configService';
import type { PartyService } from '../service/partyService';
import type { ValidConfig, Workspace } from '../service/workspace';
import type { CommandContext } from './context';
import { workspaceOf } from './context';
import type { Output } from './output';
import { planSummary, printPlan, printRunReport } from './planOutput';

/**
 * `partycost demo`: the whole story on the embedded sample, offline, in a scratch database (or `--db`): create a
 * party, run it, edit it, show the delta plan, run that, save, edit again, resume the saved snapshot; then the advice.
 */
export async function demoCommand({ args, cwd, out }: CommandContext): Promise<void> {
  const scratch = { ...args, db: args.db ?? path.join(mkdtempSync(path.join(tmpdir(), 'partycost-demo-')), 'partycost.db') };
  const ws = workspaceOf(scratch, cwd, out);
  try {
    const loaded = sampleLoaded();
    const parties = ws.parties(loaded);
    await ws.connectedCache();
    await story(ws, loaded, parties, ws.display(ws.databaseFile), out);
  } finally {
    await ws.close();
  }
}

async function story(ws: Workspace, loaded: ValidConfig, parties: PartyService, dbFile: string, out: Output): Promise<void> {
  const step = (n: number, title: string): void => out.line(`\n── ${n}. ${title}\n`);
  out.line('Party Cost Inspector demo: the party-planner sample, offline (no key, no network; usage is estimated)');
  out.line(`Database: ${dbFile}`);

  step(1, 'Create a party: each input is routed to the agents that handle it');
  const { party, inputs } = parties.create('Demo birthday', ['jungle theme', '75 guests', 'chocolate cake']);
  const [jungle, , chocolate] = inputs as [PartyInput, PartyInput, PartyInput];
  inputs.forEach((input) => out.line(`  ${input.id} "${input.text}" → ${input.agents.join(', ')}`));

  step(2, 'The first plan: every agent that takes part has never run');
  printPlan(await parties.plan(party.id), out);

  step(3, 'Run it');
  printRunReport(await parties.run(party.id), out);

  step(4, 'Edit: add "Need balloon artist", remove "chocolate cake"');
  const balloon = parties.addInput(party.id, 'Need balloon artist');
  out.line(`  added ${balloon.id} "${balloon.text}" → ${balloon.agents.join(', ')}`);
  parties.removeInput(party.id, chocolate.id);
  out.line(`  removed ${chocolate.id} "${chocolate.text}"`);

  step(5, 'The delta plan: only what the edit touches re-runs');
  printPlan(await parties.plan(party.id), out);

  step(6, 'Run the delta plan');
  printRunReport(await parties.run(party.id), out);

  step(7, 'Save a draft snapshot');
  const saved = parties.save(party.id, 'draft');
  out.line(`  snapshot version ${saved.version} (${saved.type}) covers events 1–${saved.seq}`);

  step(8, 'Edit again ("pirate theme" instead of the jungle), then resume the saved snapshot');
  const pirate = parties.addInput(party.id, 'pirate theme');
  parties.removeInput(party.id, jungle.id);
  out.line(`  added ${pirate.id} "${pirate.text}", removed ${jungle.id} "${jungle.text}"`);
  out.line(`  the plan now: ${planSummary(await parties.plan(party.id))}`);
  const resumed = await parties.resume(party.id, saved.version);
  out.line(`  resumed snapshot version ${resumed.fromVersion}: the plan goes back to reusing everything\n`);
  printPlan(resumed.plan, out);

  step(9, 'What would cut the bill: the savings advisor (partycost advise)');
  const report = adviceReport(ws, loaded);
  for (const a of report.advice.slice(0, 3))
    out.line(`  ${a.rank}. ${a.agent}: ${a.change}: $${a.savingPerMonthUsd.toFixed(2)} a month (${a.confidence} confidence)`);
  const cached = report.promptCaching.filter((p) => p.cachedTokens > 0).length;
  out.line(
    `  up to $${report.totalPerMonthUsd.toFixed(2)} a month across ${report.advice.length} changes at ${report.volume.partiesPerMonth.toLocaleString('en-US')} parties a month`,
  );
  out.line(
    `  prompt caching: ${cached ? `${cached} of ${report.promptCaching.length} agents' prompts reach their vendor's minimum` : `no prompt reaches its vendor's minimum (${report.promptCaching.map((p) => `${p.agent} ${p.prefixTokens.toLocaleString('en-US')} of ${p.minimumTokens?.toLocaleString('en-US') ?? '–'}`).join(', ')} tokens)`}`,
  );

  out.line(`\nParty ${party.id} and its history stay in ${dbFile}: partycost history ${party.id} --db ${dbFile}`);
}
