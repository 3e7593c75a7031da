import type { PartyConfig } from '../../config/schema';
import { findCycles } from '../../config/graph';
import { didYouMean } from '../../config/nearest';
import type { Problem } from '../../config/problems';
import type { PriceBook } from '../../cost/prices';
import { defaultOutputTokens, estimatedInputTokens } from '../../context/agentTokens';
import { crewPlaceholders } from './inputs';
import type { Span, YamlFile } from './yamlFile';

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

/** A `{placeholder}` that no input of the crew gives a value (main.py's, partycost.json's): a warning where it stands. */
export function placeholderProblems(tasks: YamlFile, agents: YamlFile, inputs: Record<string, string | null>, overlayFile?: string): Problem[] {
  const problems: Problem[] = [];
  const known = Object.keys(inputs);
  const where = overlayFile ? `main.py's inputs, "inputs" in ${overlayFile}` : "main.py's inputs";
  const scan = (file: YamlFile, fields: string[]): void => {
    for (const entry of file.entries) {
      for (const field of fields) {
        const found = entry.fields.get(field);
        if (!found || typeof found.value !== 'string') continue;
        // Names have no escapes or line breaks: each stands in the source as it does in the value.
        const source = file.text.slice(found.span.offset, found.span.offset + found.span.length);
        for (const placeholder of crewPlaceholders(found.value)) {
          if (placeholder.name in inputs) continue;
          const at = source.indexOf(`{${placeholder.name}}`);
          problems.push({
            severity: 'warning',
            file: file.name,
            message: `{${placeholder.name}} is not among the crew's inputs (${where})${didYouMean(placeholder.name, known)}; a party needs the input ${placeholder.name}=…`,
            offset: found.span.offset + Math.max(0, at),
            length: at < 0 ? found.span.length : placeholder.length,
          });
        }
      }
    }
  };
  scan(agents, ['role', 'goal', 'backstory']);
  scan(tasks, ['description', 'expected_output']);
  return problems;
}

/** A task whose prompt and answer do not fit its model's context window, or whose answer is over its maximum output. */
export function windowProblems(config: PartyConfig, prices: PriceBook, tasks: YamlFile): Problem[] {
  const problems: Problem[] = [];
  for (const entry of tasks.entries) {
    const agent = config.agents[entry.name];
    const priced = agent?.model ? prices.model(agent.model) : undefined;
    if (!agent || !priced) continue;
    const output = agent.expectedOutputTokens ?? config.defaults?.expectedOutputTokens ?? defaultOutputTokens;
    const count = (n: number): string => n.toLocaleString('en-US');
    if (priced.maxOutputTokens !== null && output > priced.maxOutputTokens) {
      problems.push({
        severity: 'error',
        file: tasks.name,
        message: `task "${entry.name}" expects ${count(output)} output tokens, over the ${count(priced.maxOutputTokens)}-token maximum output of ${agent.model}`,
        ...entry.key,
      });
    }
    if (priced.contextWindow === null) continue;
    const input = estimatedInputTokens(entry.name, agent, agent.model!, config).tokens;
    if (input + output > priced.contextWindow) {
      problems.push({
        severity: 'error',
        file: tasks.name,
        message: `task "${entry.name}" needs ${count(input)} prompt + ${count(output)} output tokens, over the ${count(priced.contextWindow)}-token context window of ${agent.model}`,
        ...entry.key,
      });
    }
  }
  return problems;
}
