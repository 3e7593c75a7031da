// npm run bench [-- --only GROUP[,GROUP]] [-- --json FILE]: every figure is measured side by side in this one run;
// --json writes { figures: [{ group, name, value, unit, goal?, met? }] } for every figure, goals included.
import { collectBench } from './collectBench';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { cacheBench } from './cacheBench';
import { configBench } from './configBench';
import { contextBench } from './contextBench';
import { extensionBench, vscodeBench } from './extensionBench';
import { partyBench } from './partyBench';
import { reliabilityBench } from './reliabilityBench';
import { learningBench } from './learningBench';
import { impactBench } from './impactBench';
import { adviceBench } from './adviceBench';
import { tokenizerBench } from './tokenizerBench';
import { teamBench } from './teamBench';
import { recordedFigures, startGroup } from './measure';
import { catalogueReady } from '../sidecar/cost/catalogue';

/** The groups in the order they run. */
const groups: Record<string, () => unknown> = {
  config: configBench,
  tokenizer: tokenizerBench,
  context: contextBench,
  party: partyBench,
  learning: learningBench,
  team: teamBench,
  impact: impactBench,
  collect: collectBench,
  advice: adviceBench,
  cache: cacheBench,
  extension: extensionBench,
  vscode: vscodeBench,
  reliability: reliabilityBench,
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, json: { type: 'string' } } });
  const chosen = values.only ? values.only.split(',').map((name) => name.trim()) : Object.keys(groups);
  const unknown = chosen.filter((name) => !groups[name]);
  if (unknown.length) throw new Error(`unknown bench group ${unknown.join(', ')}; groups: ${Object.keys(groups).join(', ')}`);
  console.log(
    `Party Cost Inspector bench: Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
  );
  await catalogueReady();
  for (const name of Object.keys(groups).filter((g) => chosen.includes(g))) {
    startGroup(name);
    await groups[name]();
  }
  const figures = recordedFigures();
  const short = figures.filter((f) => f.met === false);
  const goals = figures.filter((f) => f.goal);
  console.log(
    `\n${figures.length} figures, ${goals.length} with a goal: ${goals.length - short.length} met${short.length ? `, ${short.length} not: ${short.map((f) => `${f.group}/${f.name} ${f.value} ${f.unit} (goal ${f.goal})`).join('; ')}` : ''}`,
  );
  if (values.json) {
    writeFileSync(
      values.json,
      `${JSON.stringify({ machine: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? null }, at: new Date().toISOString(), figures }, null, 2)}\n`,
    );
    console.log(`figures written to ${values.json}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
