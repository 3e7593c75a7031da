import { parseTree } from 'jsonc-parser';
import path from 'node:path';
import { loadConfig, loadConfigText } from '../sidecar/sources/load';
import { locateConfig, readIfFile } from '../sidecar/shared/configLocation';
import { estimate } from '../sidecar/estimate/estimate';
import { tokenCost } from '../sidecar/cost/money';
import type { PriceBook } from '../sidecar/cost/prices';
import type { CatalogueModel } from '../sidecar/cost/catalogue';
import { figure, medianMs, report, verdict } from './measure';
import { generatedConfig } from './generatedConfig';

/** The prices before the catalogue: the old bundled table (USD per 1M: input, cached input, output), same exact arithmetic. */
const tableBefore: Record<string, [number, number, number]> = {
  'gpt-4o': [2.5, 1.25, 10],
  'gpt-4o-mini': [0.15, 0.075, 0.6],
  'gpt-4.1': [2, 0.5, 8],
  'gpt-4.1-mini': [0.4, 0.1, 1.6],
  'gpt-3.5-turbo': [0.5, 0.5, 1.5],
};

/** A price book that prices as the table did: a map lookup and three multiplications per agent. */
function tableBook(book: PriceBook): PriceBook {
  const models = new Map(Object.keys(tableBefore).map((name) => [name, book.model(name)!]));
  return {
    ...book,
    model: (name) => models.get(name),
    price: (model: CatalogueModel, usage) => {
      const [input, cached, output] = tableBefore[model.name];
      const read = usage.cacheReadTokens ?? 0;
      const parts = {
        input: tokenCost(usage.inputTokens - read, input),
        cacheRead: tokenCost(read, cached),
        cacheWrite: 0n,
        output: tokenCost(usage.outputTokens, output),
        reasoning: 0n,
      };
      return { total: parts.input + parts.cacheRead + parts.output, parts, tierAbove: null };
    },
  };
}

export function configBench(): void {
  const text = generatedConfig(200);
  const check = loadConfigText(text, 'generated.json');
  if (!check.config) throw new Error(`generated configuration is invalid: ${check.problems[0]?.message}`);
  const full = medianMs(() => {
    const loaded = loadConfigText(text, 'generated.json');
    return estimate(loaded.config!, loaded.prices);
  });
  const parseOnly = medianMs(() => parseTree(text));
  const table = tableBook(check.prices);
  // Alternating rounds, so drift on a busy machine falls on both sides alike.
  const rounds = Array.from({ length: 5 }, () => [
    medianMs(() => estimate(check.config!, check.prices), 31, 5),
    medianMs(() => estimate(check.config!, table), 31, 5),
  ]);
  const catalogue = rounds.map((r) => r[0]).sort((a, b) => a - b)[2];
  const before = rounds.map((r) => r[1]).sort((a, b) => a - b)[2];
  console.log(`\nConfiguration: 200 agents, ${(text.length / 1024).toFixed(0)} KiB`);
  const ratio = figure('estimate, catalogue / static table', catalogue / before, '×', '<= 1.2');
  figure('estimate, prices from the catalogue', catalogue, 'ms');
  figure('parse + validate + estimate, 200 agents', full, 'ms');
  figure('parse + validate + estimate / jsonc-parser parse', full / parseOnly, '×');
  report([
    ['estimate, prices from the catalogue (memoised)', `${catalogue.toFixed(2)} ms`],
    ['estimate, prices from the old static table', `${before.toFixed(2)} ms`],
    ['ratio catalogue / table', `${ratio.toFixed(2)}× (${verdict('<= 1.2', ratio)})`],
    ['parse + validate + estimate', `${full.toFixed(1)} ms (median of 15)`],
    ['jsonc-parser parse alone (floor)', `${parseOnly.toFixed(2)} ms`],
    ['ratio to the floor', `${(full / parseOnly).toFixed(1)}×`],
  ]);
  crewBench();
}

/**
 * A CrewAI project read as an editor reads it on every edit: crew.py and main.py through the Python parser, the YAML,
 * .env, uv.lock, and the estimate; beside it the same crew's YAML alone (no crew.py), the floor of any crew reading.
 */
function crewBench(): void {
  const project = path.resolve('test/fixtures/crewai/competitor_watch');
  const yamlOnly = path.join(project, 'src/competitor_watch/config');
  const env = {};
  const full = (): unknown => {
    const loaded = loadConfig(locateConfig(project), { env });
    return estimate(loaded.config!, loaded.prices);
  };
  const bare = (): unknown => loadConfig({ kind: 'crewai', dir: yamlOnly }, { env, read: (file) => (file.endsWith('.py') ? undefined : readIfFile(file)) });
  if (!loadConfig(locateConfig(project), { env }).config) throw new Error('competitor_watch does not load');
  const rounds = Array.from({ length: 5 }, () => [medianMs(full, 15, 3), medianMs(bare, 15, 3)]);
  const withPython = rounds.map((r) => r[0]!).sort((a, b) => a - b)[2]!;
  const yaml = rounds.map((r) => r[1]!).sort((a, b) => a - b)[2]!;
  console.log('\nA CrewAI project (test/fixtures/crewai/competitor_watch: crew.py, tools/, main.py, .env, uv.lock, YAML)');
  figure('crew project: read + estimate', withPython, 'ms', '< 50');
  figure('crew project / its YAML alone', withPython / yaml, '×');
  report([
    [
      'read (crew.py, main.py, YAML, .env, uv.lock) + estimate',
      `${withPython.toFixed(2)} ms (${verdict('< 50', withPython)}: an edit reprices within a keystroke)`,
    ],
    ['its YAML alone (no Python read)', `${yaml.toFixed(2)} ms`],
    ['ratio', `${(withPython / yaml).toFixed(1)}×`],
  ]);
}
