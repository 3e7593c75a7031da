import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadConfigText } from '../sidecar/sources/load';
import { sampleConfig } from '../sidecar/config/sample';
import type { AgentConfig } from '../sidecar/config/schema';
import { assembleContext, clearContextCaches } from '../sidecar/context/assemble';
import type { Assembly, AssemblyRequest, UpstreamResult } from '../sidecar/context/assemble';
import { agentModel } from '../sidecar/config/agents';
import { figure, medianMs, report, seeded } from './measure';

const vocabulary = (
  'plan guests arrive welcome table colours garden music games lights balloons cake candles menu snacks drinks ' +
  'timeline setup cleanup photos gifts invitations theme decorations seating stage host schedule budget vendor'
).split(' ');

/** An upstream result shaped like the offline provider's: a title, a "Cost: $N" line, then `words` words. */
function upstreamResult(agent: string, words: number, random: (n: number) => number): UpstreamResult {
  const text = Array.from({ length: words }, () => vocabulary[random(vocabulary.length)]).join(' ');
  const output = `${agent} plan (offline ${random(2 ** 31)
    .toString(16)
    .padStart(8, '0')})\nCost: $${50 + random(1950)}\n${text}`;
  return { output, resultHash: createHash('sha256').update(output).digest('hex') };
}

function formCounts(assembly: Assembly): string {
  const counts = new Map<string, number>();
  for (const u of assembly.upstream) counts.set(u.form, (counts.get(u.form) ?? 0) + 1);
  return [...counts].map(([form, n]) => `${n} ${form}`).join(', ');
}

const thousands = (n: number): string => n.toLocaleString('en-US');

export function contextBench(): void {
  // (1) One agent over 50 upstream results of about 300 words, with a budget that forces pruning.
  const random = seeded(7);
  const names = Array.from({ length: 50 }, (_, i) => `step${String(i + 1).padStart(2, '0')}`);
  const upstream = Object.fromEntries(names.map((name) => [name, upstreamResult(name, 300, random)]));
  const agent: AgentConfig = {
    system: 'You are a party planner. Merge the plans below into one.',
    prompt: `Guests and wishes: {{inputs}}\n${names.map((name) => `${name}: {{${name}}}`).join('\n')}`,
    dependsOn: names,
  };
  const request: AssemblyRequest = { agent, model: 'gpt-4o-mini', inputs: ['75 guests', 'jungle theme', 'chocolate cake'], upstream };
  const whole = assembleContext(request);
  const budget = 4000;
  const budgeted: AssemblyRequest = { ...request, agent: { ...agent, contextBudget: budget } };
  clearContextCaches();
  const started = performance.now();
  const first = assembleContext(budgeted);
  const firstMs = performance.now() - started;
  const warmMs = medianMs(() => assembleContext(budgeted), 20, 2);
  const coldMs = medianMs(
    () => {
      clearContextCaches();
      return assembleContext(budgeted);
    },
    20,
    2,
  );
  console.log(`\nContext assembly: 50 upstream results of ~300 words (${thousands(whole.tokens)} tokens whole), contextBudget ${thousands(budget)}`);
  figure('assembly of 50 upstream results within 4,000 tokens, caches cleared', coldMs, 'ms');
  figure('assembly of 50 upstream results within 4,000 tokens, caches kept', warmMs, 'ms');
  report([
    ['assembled', `${thousands(first.tokens)} tokens (${formCounts(first)}), ${thousands(first.prunedTokens)} pruned`],
    ['first assembly (no caches)', `${firstMs.toFixed(1)} ms`],
    ['median of 20, caches cleared each time', `${coldMs.toFixed(1)} ms`],
    ['median of 20, counts and summaries kept', `${warmMs.toFixed(1)} ms`],
  ]);

  // (2) The sample configuration's llm agents with upstream results, each upstream 2,000 words.
  const config = loadConfigText(sampleConfig, 'partycost.json').config;
  if (!config) throw new Error('the sample configuration does not load');
  const sampleRandom = seeded(11);
  const rows: [string, string][] = [];
  let wholeTotal = 0;
  let assembledTotal = 0;
  for (const [name, sampleAgent] of Object.entries(config.agents)) {
    if (sampleAgent.kind === 'compute' || !sampleAgent.dependsOn?.length) continue;
    const model = agentModel(sampleAgent, config)!;
    const results = Object.fromEntries(sampleAgent.dependsOn.map((dep) => [dep, upstreamResult(dep, 2000, sampleRandom)]));
    const sampleRequest: AssemblyRequest = { agent: sampleAgent, model, inputs: ['75 guests', 'jungle theme', 'chocolate cake'], upstream: results };
    const unbudgeted = assembleContext({ ...sampleRequest, agent: { ...sampleAgent, contextBudget: undefined } });
    const assembled = assembleContext(sampleRequest);
    wholeTotal += unbudgeted.tokens;
    assembledTotal += assembled.tokens;
    rows.push([
      `${name} (${model}, contextBudget ${thousands(sampleAgent.contextBudget ?? 0)})`,
      `${thousands(unbudgeted.tokens)} whole → ${thousands(assembled.tokens)} assembled (${formCounts(assembled)}${assembled.overBudget ? ', over budget' : ''})`,
    ]);
  }
  const saved = wholeTotal - assembledTotal;
  figure('sample, tokens saved by context budgets per party', saved, 'tokens');
  rows.push([
    'total',
    `${thousands(wholeTotal)} whole → ${thousands(assembledTotal)} assembled: ${thousands(saved)} tokens saved (${((100 * saved) / wholeTotal).toFixed(1)}%)`,
  ]);
  console.log('\nContext assembly on the sample configuration: every upstream result 2,000 words');
  report(rows);
}
