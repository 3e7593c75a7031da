import type { PartyConfig } from '../../config/schema';
import { findCycles } from '../../config/graph';
import { didYouMean } from '../../config/nearest';
import type { Problem } from '../../config/problems';
import type { PriceBook } from '../../cost/prices';
import { defaultOutputTokens, estimatedInputTokens } from '../../context/agentTokens';
import { stripComments } from 'jsonc-parser';
import { crewPlaceholders } from './inputs';
import type { CrewDefinition, CrewFile } from './crewDefinition';
import type { TaskFacts } from './crewTasks';
import type { Span } from './yamlFile';

// What a crew's graph and texts rule out, beyond each entry's own fields (crewSource.ts checks those).

/** Cycles in the context graph, and context on a later task (CrewAI refuses both: tasks run in file order). */
export function graphProblems(graph: Map<string, string[]>, spans: Map<string, Map<string, Span>>, order: string[], file: string): Problem[] {
  const problems: Problem[] = [];
  const inCycle = new Set<string>();
  for (const cycle of findCycles(graph)) {
    cycle.forEach((task) => inCycle.add(task));
    const [first, next] = cycle as [string, string];
    problems.push({ severity: 'error', file, message: `dependency cycle: ${cycle.join(' → ')}`, ...(spans.get(first)?.get(next) ?? { offset: 0, length: 0 }) });
  }
  for (const [task, deps] of graph) {
    if (inCycle.has(task)) continue;
    for (const dep of deps) {
      if (order.indexOf(dep) > order.indexOf(task)) {
        problems.push({
          severity: 'error',
          file,
          message: `task "${task}" has context "${dep}", which comes later: CrewAI runs tasks in file order`,
          ...(spans.get(task)?.get(dep) ?? { offset: 0, length: 0 }),
        });
      }
    }
  }
  return problems;
}

/**
 * A `{placeholder}` of an agent's or a task's text that no input gives a value (the entry point's, crew.jsonc's,
 * partycost.json's): a warning where it stands in the crew's files (its first place in each).
 */
export function placeholderProblems(files: CrewFile[], crews: CrewDefinition[], inputs: Record<string, string | null>, overlayFile?: string): Problem[] {
  const known = Object.keys(inputs);
  const where = overlayFile ? `main.py's inputs, "inputs" in ${overlayFile}` : "main.py's inputs";
  const used = new Set<string>();
  for (const crew of crews) {
    const texts = [
      ...[...crew.agents.values()].flatMap((a) => [a.role, a.goal, a.backstory]),
      ...crew.tasks.flatMap((t) => [t.description ?? '', t.expectedOutput ?? '']),
    ];
    for (const text of texts) for (const placeholder of crewPlaceholders(text)) used.add(placeholder.name);
  }
  const problems: Problem[] = [];
  for (const name of [...used].filter((n) => !(n in inputs))) {
    for (const file of files.filter((f) => /\.(ya?ml|jsonc?|py)$/i.test(f.name))) {
      const searched = /\.jsonc?$/i.test(file.name) ? stripComments(file.text, ' ') : file.text;
      const at = searched.indexOf(`{${name}}`);
      if (at < 0 || searched[at - 1] === '{') continue;
      problems.push({
        severity: 'warning',
        file: file.name,
        message: `{${name}} is not among the crew's inputs (${where})${didYouMean(name, known)}; a party needs the input ${name}=…`,
        offset: at,
        length: name.length + 2,
      });
    }
  }
  return problems;
}

/** A task whose prompt and answer do not fit its model's context window, or whose answer is over its maximum output. */
export function windowProblems(config: PartyConfig, prices: PriceBook, facts: Map<string, TaskFacts>): Problem[] {
  const problems: Problem[] = [];
  for (const [name, fact] of facts) {
    const agent = config.agents[name];
    const priced = agent?.model ? prices.model(agent.model) : undefined;
    if (!agent || !priced) continue;
    const output = agent.expectedOutputTokens ?? config.defaults?.expectedOutputTokens ?? defaultOutputTokens;
    const count = (n: number): string => n.toLocaleString('en-US');
    if (priced.maxOutputTokens !== null && output > priced.maxOutputTokens) {
      problems.push({
        severity: 'error',
        ...fact.at,
        message: `"${name}" expects ${count(output)} output tokens, over the ${count(priced.maxOutputTokens)}-token maximum output of ${agent.model}`,
      });
    }
    if (priced.contextWindow === null) continue;
    const input = estimatedInputTokens(name, agent, agent.model!, config).tokens;
    if (input + output > priced.contextWindow) {
      problems.push({
        severity: 'error',
        ...fact.at,
        message: `"${name}" needs ${count(input)} prompt + ${count(output)} output tokens, over the ${count(priced.contextWindow)}-token context window of ${agent.model}`,
      });
    }
  }
  return problems;
}

/** A model no catalogue and no `prices` know (a local one costs nothing): an error where the model is named. */
export function unknownModels(crews: CrewDefinition[], prices: PriceBook, overlayFile?: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const where = `"prices" in ${overlayFile ?? 'partycost.json'}`;
  for (const crew of crews) {
    const choices = [
      ...[...crew.agents.values()].map((agent) => ({ model: agent.model, at: agent.model.at ?? agent.at })),
      ...[crew.hierarchical, crew.planning].flatMap((s) => (s?.model ? [{ model: s.model, at: s.model.at ?? s.at }] : [])),
    ];
    for (const { model, at } of choices) {
      const key = `${model.model}@${at.file}:${at.offset}`;
      if (model.local || seen.has(key) || prices.model(model.model)) continue;
      seen.add(key);
      problems.push({
        severity: 'error',
        ...at,
        message: `unknown model "${model.model}"${didYouMean(model.model, prices.knownNames())}; add its prices under ${where} to use it`,
      });
    }
  }
  return problems;
}
