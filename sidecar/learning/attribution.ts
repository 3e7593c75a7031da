import type { PartyConfig } from '../config/schema';

/**
 * Which configured agent a traced run belongs to. Traces name agents as their framework does: our agent's own name,
 * a CrewAI task (`crewai.task.name`), a CrewAI agent's role with its placeholders filled ("AI LLMs Senior Data
 * Researcher"), or anything else. A run is attributed by, in order: an alias the user set (the quick fix of an
 * unattributed agent); its task's name; its agent's name; a crew agent's name or role, when that agent performs one
 * task (or the run names which). Otherwise it stays the source's, unattributed, with the reason: never dropped.
 */

/** What a crew adds to the names: its CrewAI agents, the tasks each performs, and their roles. */
export interface CrewNames {
  /** Crew agent → our agents (its tasks) it performs. */
  agents: Record<string, string[]>;
  /** Crew agent → its role as written. */
  roles: Record<string, string>;
}

/** The names a traced run carries. */
export interface TracedNames {
  agentName?: string;
  taskName?: string;
}

export type Attribution = { agent: string; via: 'alias' | 'task' | 'name' | 'crew agent' | 'role' } | { agent?: undefined; name: string; reason: string };

/** Lower case, runs of spaces, dashes and underscores as one space: "Senior_Data-Researcher " ~ "senior data researcher". */
export function normalName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

/** A role as a pattern: its `{placeholders}` match any text, the rest as written (normalised). */
function rolePattern(role: string): RegExp {
  const parts = normalName(role).split(/\{[a-z_][\w ]*\}/i);
  return new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')}$`);
}

/** The attribution of traced runs to a configuration's agents (and a crew's tasks), with the user's aliases first. */
export function attributor(config: PartyConfig, crew: CrewNames | undefined, aliases: ReadonlyMap<string, string>): (names: TracedNames) => Attribution {
  const agents = Object.keys(config.agents);
  const byNormal = new Map(agents.map((name) => [normalName(name), name]));
  const crewAgents = Object.entries(crew?.agents ?? {}).map(([name, rows]) => ({
    name,
    normal: normalName(name),
    role: crew?.roles[name] !== undefined ? rolePattern(crew.roles[name]!) : undefined,
    // The tasks it performs (not the crew's own calls beside them).
    tasks: rows.filter((row) => !/-(delegated|knowledge_query|memory)$/.test(row) && row !== 'crew_planner'),
  }));
  const known = (agent: string | undefined): agent is string => agent !== undefined && agent in config.agents;
  return ({ agentName, taskName }) => {
    const name = agentName ?? taskName ?? '';
    const alias = aliases.get(name) ?? (taskName !== undefined ? aliases.get(taskName) : undefined);
    if (known(alias)) return { agent: alias, via: 'alias' };
    const task = taskName !== undefined ? byNormal.get(normalName(taskName)) : undefined;
    if (task) return { agent: task, via: 'task' };
    const own = agentName !== undefined ? byNormal.get(normalName(agentName)) : undefined;
    if (own) return { agent: own, via: 'name' };
    if (agentName !== undefined) {
      const normal = normalName(agentName);
      const byName = crewAgents.find((c) => c.normal === normal);
      const matched = byName ?? crewAgents.find((c) => c.role?.test(normal));
      if (matched) {
        const via = byName ? ('crew agent' as const) : ('role' as const);
        if (matched.tasks.length === 1) return { agent: matched.tasks[0]!, via };
        return {
          name,
          reason: matched.tasks.length
            ? `the crew agent ${matched.name} performs ${matched.tasks.length} tasks (${matched.tasks.join(', ')}) and the trace names none`
            : `the crew agent ${matched.name} performs no task`,
        };
      }
    }
    return { name: name || '(unnamed)', reason: name ? 'no configured agent, task or crew agent of that name' : 'the trace names no agent' };
  };
}
