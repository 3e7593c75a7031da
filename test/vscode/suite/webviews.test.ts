import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PartyCostApi } from '../../../extension/extension';
import type { CacheReport } from '../../../sidecar/contract/cache';
import type { Plan } from '../../../sidecar/contract/plan';
import type { EstimateResult, TokenBudget } from '../../../sidecar/protocol';
import { requestScreenshot, screenshotsOn } from './screenshot';
import { clickInView, elements, probeView } from './webviewProbe';
import type { ViewSnapshot } from './webviewProbe';
import { adviceInPanel, applyButtonApplies, configUri, quickFixApplies, restoreConfig } from './adviceChecks';

const themes = {
  light: ['Default Light Modern', 'vscode-light'],
  dark: ['Default Dark Modern', 'vscode-dark'],
  highContrast: ['Default High Contrast', 'vscode-high-contrast'],
} as const;

/** Switches the colour theme and waits until the view shows it (VS Code marks the webview's body with the theme kind). */
async function useTheme(theme: keyof typeof themes, view: string): Promise<ViewSnapshot> {
  const [name, bodyClass] = themes[theme];
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', name, vscode.ConfigurationTarget.Global);
  return probeView(view, (s) => s.theme.split(' ').includes(bodyClass));
}

/** A screenshot of the view in the light and the dark theme; the page background differs between them. */
async function screenshotsInBothThemes(view: string): Promise<void> {
  if (!screenshotsOn()) return;
  await vscode.commands.executeCommand('workbench.action.closePanel');
  await vscode.commands.executeCommand('notifications.clearAll');
  const light = await useTheme('light', view);
  await requestScreenshot(`${view}-light`);
  const dark = await useTheme('dark', view);
  await requestScreenshot(`${view}-dark`);
  assert.notEqual(light.background, dark.background, 'the view follows the theme');
}

suite('The webviews in VS Code', function () {
  this.timeout(120_000);
  let party: string;

  suiteSetup(async () => {
    await vscode.extensions.getExtension('partycost.party-cost-inspector')!.activate();
    const inputs = ['pirate theme', '40 guests', 'lemon cake'];
    const report = await vscode.commands.executeCommand<{ party: string }>('partycost.runPartyPlan', { inputs });
    party = report.party;
    // A twin party: its agents are cache hits, so the cache view has savings to show.
    await vscode.commands.executeCommand('partycost.runPartyPlan', { inputs });
    await vscode.commands.executeCommand('partycost.addInput', { party, text: 'Need balloon artist' });
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  test("the Delta Execution Plan panel draws every agent coloured by its action, with the plan's totals", async () => {
    const first = await vscode.commands.executeCommand<Plan>('partycost.showDeltaPlan', { party });
    assert.ok(first, 'the command returned the plan it shows');
    await probeView('plan', (s) => elements(s, 'node').length === 7);
    // Asked again once the view is up, so no event still in flight re-plans it behind the test's back.
    const plan = await vscode.commands.executeCommand<Plan>('partycost.showDeltaPlan', { party });
    const shows = (s: ViewSnapshot): boolean => elements(s, 'total').some((t) => t.name === 'savedCostUsd' && Number(t.value) === plan.totals.savedCostUsd);
    const snapshot = await probeView('plan', (s) => elements(s, 'node').length === 7 && shows(s));
    const nodes = elements(snapshot, 'node');
    for (const planned of plan.agents) assert.equal(nodes.find((n) => n.agent === planned.agent)?.action, planned.action, planned.agent);
    assert.equal(nodes.find((n) => n.agent === 'vendor')?.action, 'execute', 'the new input makes the vendor execute');
    // One colour per action: nodes of an action share it, different actions differ.
    const colours = new Map<string, Set<string>>();
    for (const node of nodes) colours.set(node.action, (colours.get(node.action) ?? new Set()).add(node.stroke));
    for (const [action, set] of colours) assert.equal(set.size, 1, `${action} nodes share one colour`);
    const distinct = new Set([...colours.values()].map((set) => [...set][0]));
    assert.equal(distinct.size, colours.size, 'each action has its own colour');
    assert.ok(colours.size >= 2, `the plan mixes actions: ${[...colours.keys()].join(', ')}`);
    const totals = Object.fromEntries(elements(snapshot, 'total').map((t) => [t.name, Number(t.value)]));
    for (const name of ['execute', 'reuse', 'cacheHit', 'delete', 'skip', 'blocked', 'savedCostUsd', 'savedPercent'] as const)
      assert.equal(totals[name], plan.totals[name], name);
    // The fixture's comments are whole lines.
    const config = JSON.parse(
      readFileSync(path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'partycost.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''),
    ) as { agents: Record<string, { dependsOn?: string[] }> };
    const dependencies = Object.values(config.agents).flatMap((a) => a.dependsOn ?? []);
    assert.equal(elements(snapshot, 'edge').length, dependencies.length, 'one edge per dependency of the configuration');
    // A strict policy: nothing by default, scripts only with the page's nonce, styles and fonts only from the bundle.
    assert.match(snapshot.csp ?? '', /^default-src 'none'; /);
    assert.match(snapshot.csp ?? '', /script-src 'nonce-[A-Za-z0-9+/=]{20,}'(;|$)/);
    assert.doesNotMatch(snapshot.csp ?? '', /unsafe-inline|unsafe-eval/);
    // (VS Code injects its own inline script for acquireVsCodeApi; the page's scripts are loaded ones.)
    const loaded = snapshot.scripts.filter((script) => script.src);
    assert.ok(loaded.length === 1 && loaded[0].nonce && /\/dist\/webview\/plan\.js$/.test(loaded[0].src), JSON.stringify(snapshot.scripts));
    await screenshotsInBothThemes('plan');
    if (screenshotsOn()) {
      // High contrast too, for the graph: its action colours come from the theme's chart colours.
      const contrast = await useTheme('highContrast', 'plan');
      await requestScreenshot('plan-high-contrast');
      const strokes = new Set(elements(contrast, 'node').map((n) => n.stroke));
      assert.equal(strokes.size, colours.size, 'each action keeps its own colour in high contrast');
    }
  });

  test("the plan panel's Run button runs the plan; afterwards every agent is reused", async () => {
    await vscode.commands.executeCommand('partycost.showDeltaPlan', { party });
    const before = await probeView('plan', (s) => elements(s, 'node').some((n) => n.action === 'execute'));
    const working = elements(before, 'node').filter((n) => ['execute', 'cache_hit', 'delete'].includes(n.action)).length;
    await clickInView('plan', '[data-probe="run-button"]');
    const after = await probeView('plan', (s) => elements(s, 'run').some((r) => r.state === 'done'), 60_000);
    const nodes = elements(after, 'node');
    assert.ok(
      nodes.every((n) => n.action === 'reuse'),
      `after the run: ${nodes.map((n) => `${n.agent}=${n.action}`).join(', ')}`,
    );
    assert.match(elements(after, 'run')[0].text, /Last run: [1-9]\d* executed for \$0\.\d{6}/);
    assert.equal(nodes.filter((n) => n.run === 'done').length, working, 'every agent the run worked on reported its progress to the view');
  });
  test('the Cost Estimates panel shows every agent and the totals the sidecar estimates; the batch toggle re-prices', async () => {
    const result = await vscode.commands.executeCommand<EstimateResult>('partycost.showCostEstimate');
    assert.ok(result?.estimate, 'the command returned the estimate it shows');
    const estimate = result.estimate;
    const snapshot = await probeView('estimates', (s) => elements(s, 'agent').length === estimate.agents.length);
    const rows = elements(snapshot, 'agent');
    for (const a of estimate.agents) {
      const row = rows.find((r) => r.agent === a.agent);
      assert.equal(Number(row?.cost), a.costPerRunUsd, a.agent);
      assert.equal(Number(row?.llm), a.breakdown.llm, `${a.agent} llm`);
    }
    const totals = Object.fromEntries(elements(snapshot, 'total').map((t) => [t.name, Number(t.value)]));
    assert.equal(totals.perPartyUsd, estimate.perPartyUsd);
    assert.equal(totals.perMonthUsd, estimate.perMonthUsd);
    const prices = elements(snapshot, 'prices')[0];
    assert.deepEqual([prices.source, prices.date], [estimate.prices.source, estimate.prices.date]);
    assert.equal(Number(elements(snapshot, 'chart')[0].agents), estimate.agents.length, 'one bar per agent');
    await screenshotsInBothThemes('estimates');

    await clickInView('estimates', '[data-probe="batch"]');
    const batch = await probeView('estimates', (s) => elements(s, 'pricing')[0]?.batch === 'true' && elements(s, 'agent').length > 0);
    const llm = (snap: ViewSnapshot): number => elements(snap, 'agent').reduce((total, r) => total + Number(r.llm), 0);
    assert.ok(Math.abs(llm(batch) - llm(snapshot) / 2) < 1e-9, `batch pricing halves model charges: ${llm(snapshot)} → ${llm(batch)}`);
    await clickInView('estimates', '[data-probe="batch"]');
    await probeView('estimates', (s) => elements(s, 'pricing')[0]?.batch === 'false');
  });

  test("the panel's Advice ranks the changes by saving, with prompt caching by each vendor's rules", adviceInPanel);

  test("a quick fix on an agent applies its advice and the panel follows; so does the panel's Apply button", async () => {
    const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(configUri()));
    try {
      await quickFixApplies();
      await applyButtonApplies();
    } finally {
      await restoreConfig(original);
    }
  });

  test("the Token Budgets panel shows each agent's prompt against its budget, part by part", async () => {
    type Shown = { party: string; agents: TokenBudget[] };
    const first = await vscode.commands.executeCommand<Shown>('partycost.showTokenBudgets', { party });
    assert.ok(first && first.party === party, 'the command returned the budgets it shows');
    await probeView('budgets', (s) => elements(s, 'agent').length === first.agents.length);
    // Asked again once the view is up, so no event still in flight (a run's party/changed) refreshes it behind the test's back.
    const shown = await vscode.commands.executeCommand<Shown>('partycost.showTokenBudgets', { party });
    const tokens = (s: ViewSnapshot): string =>
      elements(s, 'agent')
        .map((r) => `${r.agent}=${r.tokens}`)
        .join();
    const snapshot = await probeView('budgets', (s) => tokens(s) === shown.agents.map((b) => `${b.agent}=${b.tokens}`).join());
    const rows = elements(snapshot, 'agent');
    for (const b of shown.agents) {
      const row = rows.find((r) => r.agent === b.agent)!;
      assert.deepEqual(
        [row.budget, Number(row.tokens), Number(row.instructions), Number(row.inputs), Number(row.upstream), row.over],
        [String(b.budget ?? 'none'), b.tokens, b.parts.instructions, b.parts.inputs, b.parts.upstream, String(b.overBudget)],
        b.agent,
      );
    }
    assert.equal(
      elements(snapshot, 'upstream').length,
      shown.agents.reduce((total, b) => total + b.upstream.length, 0),
    );
    assert.ok(
      shown.agents.some((b) => b.budget !== null),
      'the fixture budgets some agents',
    );
    await screenshotsInBothThemes('budgets');
  });

  test('the Cache Statistics view in the sidebar shows each tier and the savings the sidecar counts', async () => {
    const api = await vscode.extensions.getExtension<PartyCostApi>('partycost.party-cost-inspector')!.activate();
    await vscode.commands.executeCommand('partycost.cache.focus');
    await eventuallyReport(api);
    // The view refreshes (debounced) as runs end: compare with the report it was sent last.
    let report = api.cacheView.state.report!;
    const snapshot = await probeView('cache', (s) => {
      report = api.cacheView.state.report!;
      return elements(s, 'tier').length === report.tiers.length && Number(elements(s, 'savings')[0]?.savedUsd) === report.savings.savedUsd;
    });
    for (const tier of report.tiers) {
      const shown = elements(snapshot, 'tier').find((t) => t.tier === tier.tier)!;
      assert.deepEqual(
        [Number(shown.hits), Number(shown.misses), Number(shown.evictions), Number(shown.errors)],
        [tier.hits, tier.misses, tier.evictions, tier.errors],
        tier.tier,
      );
    }
    assert.ok(
      report.tiers.some((t) => t.hits > 0),
      'the twin party of this suite hit the cache',
    );
    assert.ok(elements(snapshot, 'top-agent').length > 0, 'the agents that saved most are listed');
    assert.equal(Number(elements(snapshot, 'savings')[0].savedUsd), report.savings.savedUsd);
    assert.equal(elements(snapshot, 'redis')[0].state, report.redis);
    // The view lives in the sidebar: with the editors closed the picture is about it alone.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await screenshotsInBothThemes('cache');
  });
});

/** The report the cache view was last sent, once it has one (the view reads it when it opens). */
async function eventuallyReport(api: PartyCostApi): Promise<CacheReport> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const report = api.cacheView.state.report;
    if (report) return report;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the cache view got no report within 20 s');
}
