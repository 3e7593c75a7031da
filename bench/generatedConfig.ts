// The generated configuration the benches share (planning, config loading, hovers in the sidecar and in VS Code).
// Kept free of the engine's imports, so the VS Code bench suite can bundle it alone.
import { seeded } from './measure';

const models = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'gpt-4.1', 'gpt-3.5-turbo'];
const words = 'plan party theme venue guests cake catering budget vendor balloon music games decorations timeline'.split(' ');

/** A layered graph of `count` agents: each depends on up to three agents of earlier layers. */
export function generatedConfig(count: number): string {
  const random = seeded(count);
  const agents: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const deps = i < 10 ? [] : [...new Set(Array.from({ length: 1 + random(3) }, () => `agent${random(i - (i % 10))}`))];
    const prose = Array.from({ length: 20 + random(60) }, () => words[random(words.length)]).join(' ');
    agents[`agent${i}`] = {
      model: models[random(models.length)],
      system: 'You are one agent of a larger planner.',
      prompt: `${prose}: {{inputs}} ${deps.map((d) => `{{${d}}}`).join(' ')}`,
      expectedOutputTokens: 100 + random(400),
      contextBudget: 8000,
      dependsOn: deps,
      handles: { keywords: [words[random(words.length)]], numbers: ['guests'] },
      resources: { vectorQueries: random(3), cacheOps: 2, sqlQueries: random(2) },
    };
  }
  return `// generated: ${count} agents\n${JSON.stringify({ defaults: { model: 'gpt-4o-mini' }, volume: { partiesPerMonth: 1000 }, agents }, null, 2)}`;
}
