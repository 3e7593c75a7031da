import type { Estimate } from '../../contract/cost';
import type { CrewMap } from './crewSource';

/** An estimate of a crew with each task's CrewAI agent named (`crewAgent`); any other estimate as it is. */
export function withCrewAgents(estimate: Estimate, crew: CrewMap | undefined): Estimate {
  if (!crew) return estimate;
  return { ...estimate, agents: estimate.agents.map((agent) => (crew.tasks[agent.agent] ? { ...agent, crewAgent: crew.tasks[agent.agent] } : agent)) };
}
