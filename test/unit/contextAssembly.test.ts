import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { agentMessages } from '../../sidecar/context/prompt';
import type { AgentConfig } from '../../sidecar/config/schema';
import { assembleContext, clearContextCaches } from '../../sidecar/context/assemble';
import type { Assembly, AssemblyRequest, UpstreamResult } from '../../sidecar/context/assemble';
import { referenceText, resultSummarizer } from '../../sidecar/context/summarize';
import { countChat, countText, tokenizationFor } from '../../sidecar/cost/tokens';

const vocabulary = (
  'plan guests arrive welcome table colours garden music games lights balloons cake candles menu snacks drinks ' +
  'timeline setup cleanup photos gifts invitations theme decorations seating stage host schedule budget vendor ' +
  'naïve café crème brûlée 誕生日 パーティー праздник 🎉 $1,250 75% 2026-11-22 {x} => ; : - …'
).split(' ');

/** A deterministic generator (mulberry32), so every run checks the same cases. */
function prng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function words(random: (n: number) => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(vocabulary[random(vocabulary.length)] + (random(40) === 0 ? '\n' : ''));
  return out.join(' ');
}

/** An upstream result shaped like the offline provider's: a title line, a "Cost: $N" line, then words. */
function offlineOutput(agent: string, cost: number, wordCount: number, random = prng(cost)): string {
  return `${agent} plan (offline ${cost.toString(16).padStart(8, '0')})\nCost: $${cost}\n${words(random, wordCount)}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const result = (output: string | null): UpstreamResult => ({ output, resultHash: output === null ? null : sha256(output) });
const outputsOf = (upstream: Record<string, UpstreamResult>): Record<string, string | null> =>
  Object.fromEntries(Object.entries(upstream).map(([name, r]) => [name, r.output]));
const userMessage = (assembly: Assembly): string => assembly.messages[assembly.messages.length - 1].content;
const withBudget = (request: AssemblyRequest, contextBudget: number | undefined): AssemblyRequest => ({
  ...request,
  agent: { ...request.agent, contextBudget },
});
const form = (assembly: Assembly, agent: string): string | undefined => assembly.upstream.find((u) => u.agent === agent)?.form;

function assertConsistent(assembly: Assembly, request: AssemblyRequest): void {
  const { encoding } = tokenizationFor(request.model);
  assert.equal(assembly.tokens, countChat(assembly.messages, encoding), 'tokens is the exact chat count');
  assert.equal(assembly.parts.instructions + assembly.parts.inputs + assembly.parts.upstream, assembly.tokens, 'parts add up');
  assert.equal(
    assembly.prunedTokens,
    assembly.upstream.reduce((sum, u) => sum + u.tokensWhole - u.tokensUsed, 0),
  );
  if (/\{\{\s*inputs\s*\}\}/.test(request.agent.prompt ?? '')) {
    for (const input of request.inputs) assert.ok(userMessage(assembly).includes(input), `input ${JSON.stringify(input)} kept verbatim`);
  }
  for (const u of assembly.upstream) {
    assert.ok(u.tokensUsed <= u.tokensWhole, `${u.agent}: used ${u.tokensUsed} ≤ whole ${u.tokensWhole}`);
    if (u.form === 'whole' || u.form === 'none') assert.equal(u.tokensUsed, u.tokensWhole);
    else assert.ok(u.tokensUsed < u.tokensWhole);
  }
  if (assembly.budget !== null && !assembly.overBudget) assert.ok(assembly.tokens <= assembly.budget, `${assembly.tokens} ≤ ${assembly.budget}`);
  assert.equal(assembly.overBudget, assembly.budget !== null && assembly.tokens > assembly.budget);
}

// theme is small, venue is large; catering has no placeholder; cake has no result.
const planner: AgentConfig = {
  system: 'You are a party planner. The theme is {{theme}}.',
  prompt: 'Plan the party for: {{inputs}}.\nVenue: {{venue}}\nTheme: {{theme}}\nCake: {{cake}}',
  dependsOn: ['theme', 'venue', 'catering', 'cake'],
};
const plannerRequest: AssemblyRequest = {
  agent: planner,
  model: 'gpt-4o-mini',
  inputs: ['75 guests', 'jungle theme, chocolate cake', 'Need balloon artist'],
  upstream: {
    theme: result(offlineOutput('theme', 77, 150)),
    venue: result(offlineOutput('venue', 1234, 2000)),
    catering: result(offlineOutput('catering', 400, 300)),
    cake: result(null),
  },
};

test('no budget: exactly the messages of agentMessages, parts add up', () => {
  const requests: AssemblyRequest[] = [
    plannerRequest,
    { ...plannerRequest, inputs: [] },
    { ...plannerRequest, model: 'gpt-4', agent: { prompt: '{{venue}}{{venue}} {{inputs}}', dependsOn: ['venue'] } },
    { ...plannerRequest, model: 'llama-3-70b', agent: { system: '', prompt: undefined, dependsOn: ['venue'] } },
    { agent: { prompt: 'Suggest a theme for: {{inputs}}' }, model: 'gpt-4o', inputs: ['jungle'], upstream: {} },
  ];
  for (const request of requests) {
    const assembly = assembleContext(request);
    assert.deepEqual(assembly.messages, agentMessages(request.agent, request.inputs, outputsOf(request.upstream)));
    assert.equal(assembly.budget, null);
    assert.equal(assembly.prunedTokens, 0);
    assert.equal(assembly.overBudget, false);
    assert.ok(assembly.upstream.every((u) => u.form === 'whole' || u.form === 'none'));
    assert.deepEqual(
      assembly.upstream.map((u) => u.agent),
      Object.keys(request.upstream),
    );
    assertConsistent(assembly, request);
  }
  const assembly = assembleContext(plannerRequest);
  assert.deepEqual(
    assembly.upstream.map((u) => u.form),
    ['whole', 'whole', 'none', 'none'],
  );
  assert.equal(assembly.upstream[2].tokensWhole, 0, 'catering has no placeholder: not in the prompt');
  assert.ok(!assembly.messages.some((m) => m.content.includes('catering plan')));
  assert.ok(assembly.parts.instructions > 0 && assembly.parts.inputs > 0 && assembly.parts.upstream > 2000);
});

test('a budget large enough keeps every upstream result whole', () => {
  const whole = assembleContext(plannerRequest);
  for (const budget of [whole.tokens, whole.tokens + 1, 1_000_000]) {
    const assembly = assembleContext(withBudget(plannerRequest, budget));
    assert.deepEqual(assembly.messages, whole.messages);
    assert.equal(assembly.prunedTokens, 0);
    assert.equal(assembly.tokens, whole.tokens);
    assert.equal(assembly.overBudget, false);
    assertConsistent(assembly, withBudget(plannerRequest, budget));
  }
  const justUnder = assembleContext(withBudget(plannerRequest, whole.tokens - 1));
  assert.ok(justUnder.prunedTokens > 0 && justUnder.tokens < whole.tokens, 'one token less prunes');
});

test('a tight budget summarises the largest upstream first, then references it; inputs stay verbatim', () => {
  const whole = assembleContext(plannerRequest);
  const venueWhole = whole.upstream.find((u) => u.agent === 'venue')!.tokensWhole;
  const themeWhole = whole.upstream.find((u) => u.agent === 'theme')!.tokensWhole;
  assert.ok(venueWhole > 4 * themeWhole);
  const venueReference = referenceText('venue', plannerRequest.upstream.venue.resultHash!);

  // Half of venue must go: venue (the largest) becomes a summary, theme stays whole.
  const halfBudget = whole.tokens - Math.floor(venueWhole / 2);
  const summarised = assembleContext(withBudget(plannerRequest, halfBudget));
  assertConsistent(summarised, withBudget(plannerRequest, halfBudget));
  assert.equal(form(summarised, 'venue'), 'summary');
  assert.equal(form(summarised, 'theme'), 'whole');
  const venueUsed = summarised.upstream.find((u) => u.agent === 'venue')!.tokensUsed;
  assert.ok(venueUsed <= Math.floor(venueWhole / 4), `a summary is at most a quarter: ${venueUsed} of ${venueWhole}`);
  assert.ok(userMessage(summarised).includes('Cost: $1234'), 'the Cost line survives in the summary');
  assert.ok(userMessage(summarised).includes('venue plan (offline'), 'the summary starts with the beginning of the text');
  assert.ok(userMessage(summarised).includes('…'), 'the cut is marked');
  assert.ok(userMessage(summarised).includes(plannerRequest.upstream.theme.output!), 'theme whole');
  assert.ok(summarised.tokens <= halfBudget);

  // A budget that only fits instructions, inputs, references and a little of theme: venue is referenced and
  // theme, smaller, only then summarised.
  const minimal = assembleContext(withBudget(plannerRequest, 0));
  const themeReference = minimal.upstream.find((u) => u.agent === 'theme')!.tokensUsed;
  const tightBudget = minimal.tokens + (themeWhole - themeReference) - 60;
  const referenced = assembleContext(withBudget(plannerRequest, tightBudget));
  assertConsistent(referenced, withBudget(plannerRequest, tightBudget));
  assert.equal(form(referenced, 'venue'), 'reference');
  assert.equal(form(referenced, 'theme'), 'summary');
  assert.ok(userMessage(referenced).includes(venueReference));
  assert.ok(userMessage(referenced).includes('Cost: $77'), "theme's Cost line survives in its summary");
  assert.ok(referenced.tokens <= tightBudget);
  assert.equal(referenced.overBudget, false);

  // Every budget in between: within it, venue never more than a quarter unless whole; when the space left for venue
  // is under a quarter (but more than a reference), its summary is sized to fill it.
  for (let budget = minimal.tokens; budget <= whole.tokens; budget += 37) {
    const assembly = assembleContext(withBudget(plannerRequest, budget));
    assertConsistent(assembly, withBudget(plannerRequest, budget));
    assert.equal(assembly.overBudget, false);
    const venue = assembly.upstream.find((u) => u.agent === 'venue')!;
    if (venue.form === 'summary') assert.ok(venue.tokensUsed <= Math.floor(venueWhole / 4));
  }
  const fitBudget = whole.tokens - venueWhole + 100;
  const fitted = assembleContext(withBudget(plannerRequest, fitBudget));
  assert.equal(form(fitted, 'venue'), 'summary');
  assert.equal(form(fitted, 'theme'), 'whole');
  assert.ok(fitted.tokens <= fitBudget && fitted.tokens >= fitBudget - 10, `${fitted.tokens} fills ${fitBudget}`);
});

test('a budget below instructions + inputs + references gives the minimal assembly, flagged overBudget', () => {
  const minimal = assembleContext(withBudget(plannerRequest, 0));
  assertConsistent(minimal, withBudget(plannerRequest, 0));
  assert.equal(minimal.overBudget, true);
  assert.deepEqual(
    minimal.upstream.map((u) => u.form),
    ['reference', 'reference', 'none', 'none'],
  );
  assert.ok(userMessage(minimal).includes(referenceText('venue', plannerRequest.upstream.venue.resultHash!)));
  assert.ok(minimal.messages[0].content.includes(referenceText('theme', plannerRequest.upstream.theme.resultHash!)));
  for (const budget of [minimal.tokens - 1, minimal.parts.instructions + minimal.parts.inputs, 10]) {
    const assembly = assembleContext(withBudget(plannerRequest, budget));
    assert.equal(assembly.overBudget, true, `budget ${budget}`);
    assert.deepEqual(assembly.messages, minimal.messages);
    assert.equal(assembly.tokens, minimal.tokens);
    assertConsistent(assembly, withBudget(plannerRequest, budget));
  }
  const fits = assembleContext(withBudget(plannerRequest, minimal.tokens));
  assert.equal(fits.overBudget, false);
  assert.deepEqual(fits.messages, minimal.messages);

  // A result no larger than its reference is never replaced by it.
  const tiny: AssemblyRequest = { ...plannerRequest, upstream: { ...plannerRequest.upstream, theme: result('Jungle') } };
  const tinyMinimal = assembleContext(withBudget(tiny, 0));
  assert.equal(form(tinyMinimal, 'theme'), 'whole');
  assert.equal(tinyMinimal.overBudget, true);
});

test('summaries: fields first, then the beginning cut at a word (by characters when no word fits), never over the target', () => {
  const text = offlineOutput('venue', 1234, 800);
  const output = `${text}\nGuests: 75\nNote: bring umbrellas`;
  const summarize = resultSummarizer('venue', output, sha256(output), 'o200k_base');
  const rest = output
    .split('\n')
    .filter((line) => !/^(Cost|Guests|Note): /.test(line))
    .join('\n');
  const headerTokens = countText(`[shortened result of venue: sha256 ${sha256(output).slice(0, 8)}]`, 'o200k_base');
  for (let target = 0; target <= 400; target += 7) {
    const summary = summarize(target);
    assert.equal(summary === null, headerTokens > target, `null only when not even the header fits (${target})`);
    if (summary === null) continue;
    assert.equal(summary.tokens, countText(summary.text, 'o200k_base'));
    assert.ok(summary.tokens <= target, `${summary.tokens} ≤ ${target}`);
    if (target >= 40) {
      assert.match(summary.text, /^\[shortened result of venue: sha256 [0-9a-f]{8}\]\nCost: \$1234\nGuests: 75\nNote: bring umbrellas\nvenue plan \(offline/);
      assert.ok(summary.text.endsWith('…'));
      // A word cut: the text before "…" begins the rest of the output (its field lines left out), ends at a word,
      // and one more word would not fit.
      const kept = summary.text.slice(summary.text.indexOf('venue plan'), -1);
      assert.ok(rest.startsWith(kept) && /\S$/.test(kept) && /^\s/.test(rest.slice(kept.length)));
      const next = rest.slice(kept.length).match(/^\s*\S+/)![0];
      assert.ok(countText(`${summary.text.slice(0, -1) + next}…`, 'o200k_base') > target, `the cut at ${target} is the largest that fits`);
    }
  }
  assert.deepEqual(summarize(200), summarize(200));
  const all = summarize(100_000)!;
  assert.ok(!all.text.endsWith('…') && all.text.endsWith(text.slice(-40)), 'everything fits: no cut');

  // No spaces at all: cut by characters, whole code points.
  const cjk = '誕生日パーティーの計画🎉'.repeat(200);
  const cut = resultSummarizer('theme', cjk, sha256(cjk), 'cl100k_base')(60)!;
  assert.ok(cut.tokens <= 60 && cut.tokens > 45, `${cut.tokens}`);
  assert.ok(cut.text.endsWith('…'));
  const body = cut.text.slice(cut.text.indexOf('\n') + 1, -1);
  assert.ok(body.length > 0 && cjk.startsWith(body) && !/[\uD800-\uDBFF]$/.test(body));
});

test('property: 300 seeded cases stay within budget, keep inputs, are deterministic and prune only when needed', () => {
  const random = prng(20260501);
  const models = ['gpt-4o-mini', 'gpt-4', 'llama-3-70b'];
  let pruned = 0;
  for (let n = 0; n < 300; n++) {
    const names = Array.from({ length: random(9) }, (_, i) => `agent${i}`);
    const upstream: Record<string, UpstreamResult> = {};
    for (const name of names) {
      const roll = random(10);
      const size = random(5001);
      upstream[name] =
        roll === 0
          ? result(null)
          : roll === 1
            ? result(words(random, size)) // no fields at all
            : roll === 2
              ? result(`Total: $${random(5000)}\nGuests: ${random(200)}\nNote: ${words(random, 8)}\n${'🎉'.repeat(random(300))}${words(random, size)}`)
              : result(offlineOutput(name, 50 + random(1950), size, random));
    }
    // Most upstream agents have a placeholder, some two (system and prompt), some none.
    const inPrompt = names.filter(() => random(6) !== 0);
    const inSystem = inPrompt.filter(() => random(5) === 0);
    const agent: AgentConfig = {
      system: random(2) === 0 ? `You are a planner. ${inSystem.map((name) => `${name}: {{${name}}}`).join(' ')}` : undefined,
      prompt: `Plan for {{inputs}}.${inPrompt.map((name) => `\n${name}: {{${name}}}`).join('')}`,
      dependsOn: names,
    };
    const inputs = Array.from({ length: 1 + random(5) }, () => words(random, 1 + random(6)).replace(/\n/g, ''));
    const request: AssemblyRequest = { agent, model: models[random(models.length)], inputs, upstream };

    const whole = assembleContext(request);
    assert.deepEqual(whole.messages, agentMessages(agent, inputs, outputsOf(upstream)));
    const minimal = assembleContext(withBudget(request, 0));
    assert.ok(minimal.tokens <= whole.tokens);
    const budget = minimal.tokens + random(whole.tokens + 100 - minimal.tokens + 1);
    const budgeted = withBudget(request, budget);
    const assembly = assembleContext(budgeted);
    const label = `case ${n}: budget ${budget}, minimal ${minimal.tokens}, whole ${whole.tokens}, got ${assembly.tokens}`;

    assert.equal(assembly.overBudget, false, label);
    assert.ok(assembly.tokens <= budget, label);
    assertConsistent(assembly, budgeted);
    // Determinism, every fifth time without the counts and summaries kept from the first assembly.
    if (n % 5 === 0) clearContextCaches();
    assert.deepEqual(assembleContext(budgeted), assembly, `${label}: deterministic`);
    if (whole.tokens <= budget) {
      assert.equal(assembly.prunedTokens, 0, `${label}: the whole fits, nothing pruned`);
      assert.deepEqual(assembly.messages, whole.messages, label);
    } else {
      assert.ok(assembly.prunedTokens > 0, label);
      pruned++;
    }
  }
  assert.ok(pruned > 200, `most cases prune (${pruned})`);
});

test("token budgets of a party: each active llm agent's prompt by part, within its budget", async () => {
  const { engine } = await import('../engine');
  const parties = engine();
  const { party } = parties.create('budgets', ['jungle theme', '75 guests', 'chocolate cake']);
  await parties.run(party.id);
  const budgets = parties.tokenBudgets(party.id);
  assert.deepEqual(
    budgets.map((b) => b.agent),
    ['theme', 'venue', 'cake', 'catering', 'planner_final'],
  );
  for (const b of budgets) {
    assert.equal(b.parts.instructions + b.parts.inputs + b.parts.upstream, b.tokens, b.agent);
    if (b.budget !== null) assert.ok(b.tokens <= b.budget, b.agent);
  }
  const venue = budgets.find((b) => b.agent === 'venue')!;
  assert.deepEqual(
    venue.upstream.map((u) => [u.agent, u.form]),
    [['theme', 'whole']],
  );
  assert.equal(venue.tokens, parties.store.load(party.id).results.venue.usage.inputTokens, 'what the run sent');
});
