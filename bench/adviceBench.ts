import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { peakRecorder } from '../test/peakMemory';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { advise } from '../sidecar/advice/advise';
import { estimate } from '../sidecar/estimate/estimate';
import { rightSize } from '../sidecar/estimate/rightSize';
import { loadConfigText } from '../sidecar/sources/load';
import { SqliteStore } from '../sidecar/store/sqliteStore';
import { generatedConfig } from './generatedConfig';
import { figure, medianMs, report, verdict } from './measure';

/**
 * The advice group: `partycost advise` on the 200-agent configuration (with a workspace database, as the CLI and the
 * panel ask it), against what the Cost Estimates panel computed before advice (the estimate and right-sizing), and
 * after an edit of one agent's prompt (the quick fix asks with the unsaved text).
 */
export function adviceBench(): void {
  const text = generatedConfig(200);
  const loaded = loadConfigText(text, 'generated.json');
  const edited = loadConfigText(text.replace('"You are one agent of a larger planner."', '"You are one agent of a larger party planner."'), 'generated.json');
  if (!loaded.config || !edited.config) throw new Error('the generated configuration does not load');
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-advice-bench-'));
  const store = SqliteStore.open(path.join(dir, 'advice.db'));
  const records = { ledger: store.ledger, results: store.results, applied: store.applied };
  try {
    const report1 = advise(loaded.config, loaded.prices, { records, editable: true });
    const baseline = medianMs(() => rightSize(loaded.config!, loaded.prices, { atListPrices: estimate(loaded.config!, loaded.prices) }));
    const warm = medianMs(() => advise(loaded.config!, loaded.prices, { records, editable: true }));
    // Each round alternates the two versions: every agent's system text changed, so every prompt is counted again.
    let flip = false;
    const afterEdit = medianMs(() => {
      flip = !flip;
      const version = flip ? edited : loaded;
      return advise(version.config!, version.prices, { records, editable: true });
    });
    console.log(`\nAdvice: 200 agents, ${report1.advice.length} changes advised, ${report1.promptCaching.length} prompt-caching rows`);
    figure('advise, 200 agents', warm, 'ms', '< 100');
    figure('advise after an edit of every agent, 200 agents', afterEdit, 'ms', '< 100');
    figure('estimate + right-sizing (the panel without advice)', baseline, 'ms');
    const ratio = figure('advise / estimate + right-sizing', warm / baseline, '×');
    report([
      ['advise, 200 agents', `${warm.toFixed(1)} ms (${verdict('< 100', warm)})`],
      ['advise after an edit of every agent', `${afterEdit.toFixed(1)} ms (${verdict('< 100', afterEdit)})`],
      ['estimate + right-sizing alone', `${baseline.toFixed(1)} ms`],
      ['ratio', `${ratio.toFixed(2)}×`],
    ]);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  largeAdvice();
}

/** A command's peak resident memory in MB. */
function peakMb(cwd: string, args: string[]): number {
  const recorder = peakRecorder();
  // Its output (megabytes of JSON) is not kept: only whether it succeeded, and what it said if not.
  const run = spawnSync(process.execPath, [...recorder.node, path.resolve(__dirname, '..', 'bin', 'partycost.js'), ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (run.status !== 0) throw new Error(`partycost ${args.join(' ')} failed: ${run.stderr}`);
  return recorder.peakMb();
}

/** `partycost advise` and `estimate` on 10,000 agents, as processes: their peak memory. */
function largeAdvice(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-advice-large-'));
  try {
    writeFileSync(path.join(dir, 'partycost.json'), generatedConfig(10_000));
    const advise = peakMb(dir, ['advise', '--json']);
    const estimate = peakMb(dir, ['estimate', '--json']);
    console.log('\nAdvice on 10,000 agents (partycost advise and estimate as processes, peak resident memory)');
    figure('advise on 10,000 agents, peak memory', advise, 'MB', '< 500');
    figure('estimate on 10,000 agents, peak memory', estimate, 'MB');
    report([
      ['partycost advise', `${advise.toFixed(0)} MB (${verdict('< 500', advise)})`],
      ['partycost estimate', `${estimate.toFixed(0)} MB`],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
