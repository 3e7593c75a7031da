import path from 'node:path';
import type { AgentConfig } from '../../config/schema';
import { sortProblems } from '../../config/problems';
import type { Problem } from '../../config/problems';
import { priceBook } from '../../cost/prices';
import { agentsSdkFiles, frameworkRoot } from '../../shared/frameworkLocation';
import { isLocal } from '../crew/crewModels';
import { agentKey, FileSet, frameworkConfig, uniqueKeys, unknownModelProblem } from '../framework/frameworkAgents';
import type { FileReader, FrameworkFacts, LoadedFramework } from '../framework/frameworkAgents';
import { frameworkProject } from '../framework/frameworkProject';
import type { FrameworkProject } from '../framework/frameworkProject';
import type { SdkAgentDef, SdkProgram } from './sdkDefinition';
import { readSdkPython } from './sdkPython';
import { defaultMaxTurns, defaultModelVariable, handoffParameters, handoffToolDescription, handoffToolName, newestSdk, sdkDefaultModel } from './sdkRules';
import { readSdkTypescript } from './sdkTypescript';

/**
 * An OpenAI Agents SDK project as the engine's agent graph. Each SDK agent is an agent of ours sending what the SDK
 * sends (the Responses API request of openai-agents-python v0.22.0 / openai-agents-js v0.17.0): its instructions as
 * the system prompt, its function tools and then one `transfer_to_<name>` tool per handoff, its output type as a
 * strict structured output; a loop of calls when it has function tools, bounded by `max_turns` (10 unless the run
 * says); its handoffs as the graph: the agent handed to depends on the one that hands off, and receives the
 * conversation so far. The model is the agent's, else `OPENAI_DEFAULT_MODEL`, else the pinned release's default.
 */

export interface AgentsSdkSource {
  /** The project folder. */
  dir: string;
  /** One file named by `--config`: only its agents. */
  file?: string;
  read: FileReader;
  display: (file: string) => string;
  env?: NodeJS.ProcessEnv;
}

export function loadAgentsSdk(source: AgentsSdkSource): LoadedFramework {
  const files = new FileSet(source.read, source.display);
  const root = frameworkRoot(source.dir, (file) => source.read(file) !== undefined);
  const chosen = source.file ? [source.file] : agentsSdkFiles(source.dir, source.read);
  const python = chosen.filter((file) => file.endsWith('.py'));
  const scripts = chosen.filter((file) => !file.endsWith('.py'));
  const texts = (list: string[]) => list.flatMap((file) => files.text(file) ?? []).map((f) => ({ name: f.name, text: f.text }));
  const pythonTexts = texts(python);
  const scriptTexts = texts(scripts);
  const project = frameworkProject(
    root,
    files,
    { python: pythonTexts.length ? 'openai-agents' : undefined, npm: scriptTexts.length ? '@openai/agents' : undefined },
    pythonTexts.length ? newestSdk.python : newestSdk.typescript,
    source.env ?? process.env,
    chosen.map((f) => path.dirname(f)),
  );
  // Python and TypeScript in one project have a version each: a TypeScript agent's default model and label are
  // @openai/agents', not openai-agents'.
  const scriptProject =
    pythonTexts.length && scriptTexts.length
      ? frameworkProject(
          root,
          files,
          { npm: '@openai/agents' },
          newestSdk.typescript,
          source.env ?? process.env,
          chosen.map((f) => path.dirname(f)),
        )
      : project;
  const programs: SdkProgram[] = [];
  if (pythonTexts.length) programs.push(readSdkPython(pythonTexts, project.env, project.origin));
  if (scriptTexts.length) programs.push(readSdkTypescript(scriptTexts, project.env));
  const problems: Problem[] = programs.flatMap((p) => p.problems);
  const prices = priceBook();
  if (!programs.some((p) => p.agents.length)) {
    problems.push({
      severity: 'error',
      file: files.files[0]?.name ?? source.display(source.file ?? path.join(source.dir, 'agents.py')),
      message: 'no OpenAI Agents SDK agent here: expected Agent(name=…, instructions=…) (Python) or new Agent({ name, instructions }) (TypeScript)',
      offset: 0,
      length: 0,
    });
    return { files: files.files, prices, problems: sortProblems(problems), facts: new Map(), version: project.version };
  }
  const built = buildGraph(programs, { python: project, typescript: scriptProject }, prices, problems);
  const ok = !problems.some((p) => p.severity === 'error');
  return {
    files: files.files,
    ...(ok ? { config: frameworkConfig(built.agents, built.local) } : {}),
    prices: Object.keys(built.local).length ? priceBook({ prices: built.local }) : prices,
    problems: sortProblems(
      problems,
      files.files.map((f) => f.name),
    ),
    facts: built.facts,
    version: project.version,
  };
}

interface Node {
  def: SdkAgentDef;
  key: string;
  language: SdkProgram['language'];
  maxTurns: number;
  input?: string;
}

/** The agents in handoff order from each run's starting agent, each with its tools, prompts and upstream. */
function buildGraph(
  programs: SdkProgram[],
  projects: Record<'python' | 'typescript', FrameworkProject>,
  prices: ReturnType<typeof priceBook>,
  problems: Problem[],
) {
  const all = programs.flatMap((program) => program.agents.map((def) => ({ def, language: program.language })));
  const keys = uniqueKeys(all.map(({ def }) => agentKey(def.name)));
  const nodes: Node[] = all.map(({ def, language }, i) => ({ def, key: keys[i]!, language, maxTurns: defaultMaxTurns }));
  const byRef = (ref: string): Node | undefined => nodes.find((n) => n.def.variable === ref) ?? nodes.find((n) => n.def.name === ref);
  const runs = programs.flatMap((p) => p.runs);
  const targeted = new Set(nodes.flatMap((n) => n.def.handoffs.map((h) => byRef(h.target))).filter((n): n is Node => n !== undefined));
  const entries = [
    ...runs.flatMap((run) => {
      const node = run.entry ? byRef(run.entry) : undefined;
      if (node) {
        node.maxTurns = run.maxTurns ?? node.maxTurns;
        if (run.input !== undefined) node.input = run.input;
      }
      return node ? [node] : [];
    }),
    ...nodes.filter((n) => !targeted.has(n)),
  ];
  // Breadth first from the starting agents: a handoff to an agent reached before is a way back, not a dependency.
  const upstream = new Map<Node, Node[]>();
  const order: Node[] = [];
  const queue = [...new Set(entries)];
  for (const entry of queue) upstream.set(entry, []);
  while (queue.length) {
    const node = queue.shift()!;
    if (order.includes(node)) continue;
    order.push(node);
    for (const handoff of node.def.handoffs) {
      const target = byRef(handoff.target);
      if (!target) {
        problems.push({ severity: 'error', ...handoff.at, message: `a handoff to "${handoff.target}", which is no agent of this project` });
        continue;
      }
      if (order.includes(target)) {
        problems.push({
          severity: 'info',
          ...handoff.at,
          message: `a handoff back to ${target.def.name}: priced as a tool of ${node.def.name}, not as another run of ${target.def.name}`,
        });
        continue;
      }
      upstream.set(target, [...(upstream.get(target) ?? []), node]);
      target.maxTurns = Math.min(target.maxTurns, node.maxTurns);
      target.input ??= node.input;
      queue.push(target);
    }
  }
  for (const node of nodes) if (!order.includes(node)) order.push(node);
  const agents: Record<string, AgentConfig> = {};
  const facts = new Map<string, FrameworkFacts>();
  const local: Record<string, { input: number; output: number }> = {};
  for (const node of order) {
    const { model, source } = modelOf(node, projects[node.language], problems);
    const isLocalModel = isLocal(model);
    if (isLocalModel) local[model] = { input: 0, output: 0 };
    else if (!prices.model(model)) problems.push(unknownModelProblem(model, node.def.model?.at ?? node.def.at, prices));
    agents[node.key] = agentConfig(
      node,
      model,
      (upstream.get(node) ?? []).map((n) => n.key),
      byRef,
    );
    facts.set(node.key, { sdkName: node.def.name, modelSource: source, local: isLocalModel, at: node.def.at });
  }
  return { agents, facts, local };
}

function modelOf(node: Node, project: FrameworkProject, problems: Problem[]): { model: string; source: string } {
  const named = node.def.model;
  if (named && 'model' in named) return { model: named.model, source: named.source };
  const fallback = project.env(defaultModelVariable);
  const model = fallback?.trim().toLowerCase() || sdkDefaultModel(node.language, project.version.value);
  const source = fallback?.trim()
    ? `${project.origin(defaultModelVariable)} (${defaultModelVariable})`
    : `${node.language === 'typescript' ? '@openai/agents' : 'Agents SDK'} ${project.version.value} default (${model})`;
  if (named && 'problem' in named) problems.push({ severity: 'warning', ...named.at, message: `${named.problem}: priced at ${model} (${source})` });
  return { model, source };
}

/** One SDK agent as ours: what each of its calls sends, and how many calls a run makes. */
function agentConfig(node: Node, model: string, dependsOn: string[], byRef: (ref: string) => Node | undefined): AgentConfig {
  const { def, language } = node;
  const handoffTools = def.handoffs.flatMap((handoff) => {
    const target = byRef(handoff.target);
    if (!target) return [];
    return [
      {
        name: handoff.toolName ?? handoffToolName(language, target.def.name),
        description: handoff.toolDescription ?? handoffToolDescription(target.def.name, target.def.handoffDescription),
        parameters: handoffParameters(),
        // The handoff's output the next call sees: {"assistant": "<name>"}.
        resultTokens: 10,
      },
    ];
  });
  const tools = [...def.tools, ...handoffTools];
  const base = node.input ?? '{{inputs}}';
  const prompt = [base, ...dependsOn.map((name) => `{{${name}}}`)].join('\n\n');
  return {
    model,
    ...(def.instructions ? { system: def.instructions } : {}),
    prompt,
    ...(dependsOn.length ? { dependsOn } : {}),
    ...(tools.length ? { tools } : {}),
    // Handoffs alone: one call, which answers or hands off; function tools make a loop.
    ...(tools.length && !def.tools.length ? { expectedCalls: 1 } : {}),
    maxCalls: node.maxTurns,
    ...(def.outputSchema ? { outputSchema: def.outputSchema } : {}),
  };
}
