import path from 'node:path';
import type { AgentConfig } from '../../config/schema';
import { sortProblems } from '../../config/problems';
import type { Problem } from '../../config/problems';
import { priceBook } from '../../cost/prices';
import type { PriceBook } from '../../cost/prices';
import { adkFiles, frameworkRoot } from '../../shared/frameworkLocation';
import { isLocal } from '../crew/crewModels';
import { agentKey, FileSet, frameworkConfig, uniqueKeys, unknownModelProblem } from '../framework/frameworkAgents';
import type { FileReader, FrameworkFacts, LoadedFramework } from '../framework/frameworkAgents';
import { frameworkProject } from '../framework/frameworkProject';
import type { AdkAgentDef } from './adkDefinition';
import { readAdkPython } from './adkPython';
import { adkDefaultModel, assumedIterations, identityText, newestAdk, transferText, transferTool } from './adkRules';
import { readAdkYaml } from './adkYaml';

/**
 * A Google ADK project as the engine's agent graph. Each LlmAgent is an agent of ours sending what ADK sends for it
 * (adk-python 2.1.0 unless the project pins another; adkRules.ts): its system instruction (the root's global
 * instruction, its instruction, the identity line, and the transfer instructions when it has agents to transfer to),
 * the `transfer_to_agent` declaration first and then its own tools; a loop of calls with tools. Sub-agents are the
 * graph: an LlmAgent's sub-agents depend on it (it transfers to them), a SequentialAgent's each on the one before, a
 * ParallelAgent's on what precedes it, and a LoopAgent multiplies its agents' calls by `max_iterations`.
 */

export interface AdkSource {
  dir: string;
  /** One file named by `--config` (a root_agent.yaml, an agent.py): only its agents. */
  file?: string;
  read: FileReader;
  display: (file: string) => string;
  env?: NodeJS.ProcessEnv;
}

/** ADK's `RunConfig.max_llm_calls`: the most model calls of one invocation. */
const maxLlmCalls = 500;

export function loadAdk(source: AdkSource): LoadedFramework {
  const files = new FileSet(source.read, source.display);
  const root = frameworkRoot(source.dir, (file) => source.read(file) !== undefined);
  const chosen = source.file ? [source.file] : adkFiles(source.dir, source.read);
  const problems: Problem[] = [];
  const python = chosen.filter((f) => f.endsWith('.py'));
  const project = frameworkProject(
    root,
    files,
    { python: 'google-adk' },
    newestAdk,
    source.env ?? process.env,
    chosen.map((f) => path.dirname(f)),
  );
  const version = project.version.value;
  const trees: AdkAgentDef[] = [];
  for (const yamlFile of chosen.filter((f) => /\.ya?ml$/i.test(f))) {
    const tree = readAdkYaml(yamlFile, { files, problems, agentsDir: path.dirname(path.dirname(yamlFile)), version });
    if (tree) trees.push(tree);
  }
  const pythonFiles = python.flatMap((file) => {
    const read = files.text(file);
    return read ? [{ path: file, name: read.name, text: read.text }] : [];
  });
  if (pythonFiles.length) trees.push(...readAdkPython(pythonFiles, { problems, env: project.env, origin: project.origin, version }));
  const prices = priceBook();
  if (!trees.length) {
    problems.push({
      severity: 'error',
      file: files.files[0]?.name ?? source.display(source.file ?? path.join(source.dir, 'root_agent.yaml')),
      message: 'no ADK agent here: expected a root_agent.yaml (Agent Config) or root_agent = Agent(…) in Python',
      offset: 0,
      length: 0,
    });
    return { files: files.files, prices, problems: sortProblems(problems), facts: new Map(), version: project.version };
  }
  const graph = new Graph(version, prices, problems);
  for (const tree of trees) graph.walk(tree, undefined, [], 1, tree.agentClass === 'LlmAgent' ? tree.globalInstruction : undefined, undefined);
  const ok = !problems.some((p) => p.severity === 'error');
  return {
    files: files.files,
    ...(ok ? { config: frameworkConfig(graph.agents, graph.local) } : {}),
    prices: Object.keys(graph.local).length ? priceBook({ prices: graph.local }) : prices,
    problems: sortProblems(
      problems,
      files.files.map((f) => f.name),
    ),
    facts: graph.facts,
    version: project.version,
  };
}

/** Our agents of ADK trees, walked in run order. */
class Graph {
  readonly agents: Record<string, AgentConfig> = {};
  readonly facts = new Map<string, FrameworkFacts>();
  readonly local: Record<string, { input: number; output: number }> = {};
  private readonly used: string[] = [];

  constructor(
    private readonly version: string,
    private readonly prices: PriceBook,
    private readonly problems: Problem[],
  ) {}

  /** Adds an agent and its sub-agents after `upstream`; returns the agents whose results come out of it. */
  walk(
    agent: AdkAgentDef,
    parent: AdkAgentDef | undefined,
    upstream: string[],
    times: number,
    global: string | undefined,
    inherited: Model | undefined,
  ): string[] {
    const model = this.modelOf(agent, inherited);
    switch (agent.agentClass) {
      case 'SequentialAgent':
        return agent.subAgents.reduce((up, sub) => this.walk(sub, agent, up, times, global, model), upstream);
      case 'ParallelAgent':
        return agent.subAgents.flatMap((sub) => this.walk(sub, agent, upstream, times, global, model));
      case 'LoopAgent': {
        if (agent.maxIterations === undefined)
          this.problems.push({
            severity: 'warning',
            ...agent.at,
            message: `${agent.name} has no max_iterations: it loops until a sub-agent escalates; priced at ${assumedIterations} iterations`,
          });
        const n = agent.maxIterations ?? assumedIterations;
        return agent.subAgents.reduce((up, sub) => this.walk(sub, agent, up, times * n, global, model), upstream);
      }
      default: {
        const key = this.add(agent, parent, upstream, times, global, model);
        for (const sub of agent.subAgents) this.walk(sub, agent, [key], times, global, model);
        return [key];
      }
    }
  }

  private modelOf(agent: AdkAgentDef, inherited: Model | undefined): Model | undefined {
    if (agent.model && 'model' in agent.model) return { ...agent.model };
    if (agent.model && 'problem' in agent.model)
      this.problems.push({ severity: 'warning', ...agent.model.at, message: `${agent.model.problem}: priced at the model it would inherit` });
    if (agent.agentClass !== 'LlmAgent') return inherited;
    if (inherited) return { ...inherited, source: `${inherited.source} (inherited)` };
    const fallback = adkDefaultModel(this.version);
    if (!fallback) return undefined;
    return { model: fallback, source: `ADK ${this.version} default (${fallback})`, at: agent.at };
  }

  private add(
    agent: AdkAgentDef,
    parent: AdkAgentDef | undefined,
    upstream: string[],
    times: number,
    global: string | undefined,
    model: Model | undefined,
  ): string {
    const key = uniqueKeys([...this.used, agentKey(agent.name)]).at(-1)!;
    this.used.push(agentKey(agent.name));
    if (!model) {
      this.problems.push({ severity: 'error', ...agent.at, message: `No model found for ${agent.name}: ADK ${this.version} has no default model (set model)` });
      return key;
    }
    const local = isLocal(model.model);
    if (local) this.local[model.model] = { input: 0, output: 0 };
    else if (!this.prices.model(model.model)) this.problems.push(unknownModelProblem(model.model, model.at, this.prices));
    // Transfer targets (agent_transfer.py _get_transfer_targets): sub-agents, then the parent and peers when the parent is an LlmAgent.
    const llmParent = parent?.agentClass === 'LlmAgent' ? parent : undefined;
    const targets = [
      ...agent.subAgents,
      ...(llmParent && !agent.disallowTransferToParent ? [llmParent] : []),
      ...(llmParent && !agent.disallowTransferToPeers ? llmParent.subAgents.filter((peer) => peer.name !== agent.name) : []),
    ];
    const system = [
      global,
      agent.instruction || undefined,
      identityText(this.version, agent.name, agent.description),
      targets.length ? transferText(this.version, targets, llmParent && !agent.disallowTransferToParent ? llmParent.name : undefined) : undefined,
    ]
      .filter((part): part is string => part !== undefined)
      .join('\n\n');
    const tools = [
      ...(targets.length
        ? [
            {
              ...transferTool(
                this.version,
                targets.map((t) => t.name),
              ),
              resultTokens: 10,
            },
          ]
        : []),
      ...agent.tools,
    ];
    const upstreamNames = upstream.map((name) => this.facts.get(name)?.sdkName ?? name);
    const prompt = ['{{inputs}}', ...upstream.map((name, i) => `For context:\n[${upstreamNames[i]}] said: {{${name}}}`)].join('\n\n');
    const calls = agent.tools.length ? (times > 1 ? { p50: 3 * times, p90: 6 * times } : undefined) : tools.length || times > 1 ? times : undefined;
    this.agents[key] = {
      model: model.model,
      system,
      prompt,
      ...(upstream.length ? { dependsOn: upstream } : {}),
      ...(tools.length ? { tools } : {}),
      ...(calls !== undefined ? { expectedCalls: calls } : {}),
      maxCalls: maxLlmCalls,
      ...(agent.outputSchema ? { outputSchema: agent.outputSchema } : {}),
    };
    this.facts.set(key, { sdkName: agent.name, modelSource: model.source, local, at: agent.at });
    return key;
  }
}

type Model = { model: string; source: string; at: { file: string; offset: number; length: number } };
