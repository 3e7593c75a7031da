import { findCycles } from '../config/graph';
import { didYouMean } from '../config/nearest';
import { nodeAt, problemAt } from './json/jsonDocument';
import { agentEntries, isRecord, stringList } from './agentEntries';
import type { AgentEntry } from './agentEntries';
import type { JsonDocument } from './json/jsonDocument';
import type { Problem } from '../config/problems';
import { inputsPlaceholder, isInputPlaceholder, placeholders } from '../config/template';
import { templateTokens } from '../context/agentTokens';
import { checkTimeZone } from '../budget/windows';
import type { PriceBook } from '../cost/prices';
import { modelProblems, windowProblems } from './modelChecks';

/**
 * What the schema alone cannot see: models, the dependency graph, templates, patterns and context budgets. With
 * `crew`, the agents are overrides of a crew's tasks (checked with the crew, crewSource.ts): here only their models.
 */
export function semanticProblems(document: JsonDocument, prices: PriceBook, options: { crew?: boolean } = {}): Problem[] {
  const entries = agentEntries(document.value);
  const defaults = isRecord(document.value) && isRecord(document.value.defaults) ? document.value.defaults : {};
  const defaultModel = typeof defaults.model === 'string' ? defaults.model : undefined;
  if (options.crew)
    return [...overrideModelProblems(document, entries, defaultModel, prices), ...patternProblems(document, entries), ...limitProblems(document)];
  const missing =
    isRecord(document.value) && document.value.agents === undefined
      ? [problemAt(document, [], 'missing required field "agents" (or "crew": a CrewAI config directory)')]
      : [];
  const defaultOutput = typeof defaults.expectedOutputTokens === 'number' ? defaults.expectedOutputTokens : undefined;
  return [
    ...missing,
    ...modelProblems(document, entries, defaultModel, prices, defaults.provider),
    ...dependencyProblems(document, entries),
    ...templateProblems(document, entries),
    ...patternProblems(document, entries),
    ...budgetProblems(document, entries, defaultModel),
    ...windowProblems(document, entries, defaultModel, prices, defaultOutput),
    ...limitProblems(document),
  ];
}

/** The models a crew's overrides name (and defaults.model) must be priced. */
function overrideModelProblems(document: JsonDocument, entries: AgentEntry[], defaultModel: string | undefined, prices: PriceBook): Problem[] {
  const unknown = (model: string): string => `unknown model "${model}"${didYouMean(model, prices.knownNames())}; add its prices under "prices" to use it`;
  const problems: Problem[] = [];
  if (defaultModel !== undefined && !prices.model(defaultModel)) problems.push(problemAt(document, ['defaults', 'model'], unknown(defaultModel)));
  for (const { name, raw } of entries) {
    if (typeof raw.model === 'string' && !prices.model(raw.model)) problems.push(problemAt(document, ['agents', name, 'model'], unknown(raw.model)));
  }
  return problems;
}

/** The spend limits' time zone must exist and their thresholds must rise. */
function limitProblems(document: JsonDocument): Problem[] {
  const limits = isRecord(document.value) && isRecord(document.value.limits) ? document.value.limits : {};
  const problems: Problem[] = [];
  if (typeof limits.timeZone === 'string') {
    try {
      checkTimeZone(limits.timeZone);
    } catch {
      problems.push(problemAt(document, ['limits', 'timeZone'], `unknown time zone "${limits.timeZone}"; use an IANA name such as "Europe/Paris" or "UTC"`));
    }
  }
  const thresholds = Array.isArray(limits.thresholds) ? limits.thresholds : [];
  thresholds.forEach((t, i) => {
    // Values that are not positive numbers are the schema's to report.
    if (i > 0 && typeof t === 'number' && t > 0 && typeof thresholds[i - 1] === 'number' && t <= (thresholds[i - 1] as number)) {
      problems.push(problemAt(document, ['limits', 'thresholds', i], `limits.thresholds must rise: ${t} follows ${String(thresholds[i - 1])}`));
    }
  });
  return problems;
}

function dependencyProblems(document: JsonDocument, entries: AgentEntry[]): Problem[] {
  const names = entries.map((entry) => entry.name);
  const graph = new Map(entries.map((entry) => [entry.name, stringList(entry.raw.dependsOn)]));
  const problems: Problem[] = [];
  for (const [name, deps] of graph) {
    deps.forEach((dep, i) => {
      if (!graph.has(dep)) {
        const message = `agent "${name}" depends on unknown agent "${dep}"${didYouMean(dep, names)}`;
        problems.push(problemAt(document, ['agents', name, 'dependsOn', i], message));
      }
    });
  }
  for (const cycle of findCycles(graph)) {
    const [first, next] = cycle as [string, string];
    const index = graph.get(first)!.indexOf(next);
    problems.push(problemAt(document, ['agents', first, 'dependsOn', index], `dependency cycle: ${cycle.join(' → ')}`));
  }
  return problems;
}

function templateProblems(document: JsonDocument, entries: AgentEntry[]): Problem[] {
  const problems: Problem[] = [];
  const names = new Set(entries.map((entry) => entry.name));
  for (const { name, raw } of entries) {
    const deps = new Set(stringList(raw.dependsOn));
    for (const field of ['system', 'prompt']) {
      const node = nodeAt(document, ['agents', name, field]);
      if (typeof raw[field] !== 'string' || node?.type !== 'string') continue;
      // Placeholders hold no escape sequences, so their offsets in the raw string text are exact file offsets.
      for (const placeholder of placeholders(document.text.slice(node.offset, node.offset + node.length))) {
        if (isInputPlaceholder(placeholder.name) || deps.has(placeholder.name)) continue;
        const message = names.has(placeholder.name)
          ? `${field} of "${name}" uses {{${placeholder.name}}} but "${placeholder.name}" is not in its dependsOn`
          : `${field} of "${name}" uses unknown placeholder {{${placeholder.name}}}; use {{inputs}} or the name of an agent in dependsOn${didYouMean(placeholder.name, [inputsPlaceholder, ...deps])}`;
        problems.push({ severity: 'error', message, offset: node.offset + placeholder.index, length: placeholder.length });
      }
    }
  }
  return problems;
}

function patternProblems(document: JsonDocument, entries: AgentEntry[]): Problem[] {
  const problems: Problem[] = [];
  for (const { name, raw } of entries) {
    const patterns = isRecord(raw.handles) ? raw.handles.patterns : undefined;
    if (!Array.isArray(patterns)) continue;
    patterns.forEach((pattern, i) => {
      if (typeof pattern !== 'string') return;
      try {
        new RegExp(pattern, 'iu');
      } catch (error) {
        const message = `invalid regular expression in "${name}": ${(error as Error).message}`;
        problems.push(problemAt(document, ['agents', name, 'handles', 'patterns', i], message));
      }
    });
  }
  return problems;
}

function budgetProblems(document: JsonDocument, entries: AgentEntry[], defaultModel: string | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const { name, config } of entries) {
    const model = config?.model ?? defaultModel;
    if (!config || config.kind === 'compute' || config.contextBudget === undefined || !model) continue;
    const path = ['agents', name];
    const budget = config.contextBudget;
    const { tokens } = templateTokens(config, model);
    if (tokens > budget) {
      problems.push(problemAt(document, [...path, 'prompt'], `prompt of "${name}" is ${tokens} tokens, over its contextBudget of ${budget}`));
    }
    if (config.expectedInputTokens !== undefined && config.expectedInputTokens > budget) {
      const message = `expectedInputTokens of "${name}" (${config.expectedInputTokens}) is over its contextBudget of ${budget}`;
      problems.push(problemAt(document, [...path, 'expectedInputTokens'], message));
    }
  }
  return problems;
}
