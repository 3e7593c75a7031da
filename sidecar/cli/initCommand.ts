import { sampleTarget, writeSample } from '../service/configService';
import type { CommandContext } from './context';

/** `partycost init [--force]`: writes the party-planner sample; never overwrites without --force. */
export function initCommand({ args, out, ws }: CommandContext): void {
  const file = sampleTarget(ws);
  const shown = ws.display(file);
  const agents = writeSample(file, shown, args.flags.force === true);
  if (args.json) out.json({ file, agents });
  else out.line(`Wrote ${shown}: the party-planner sample (${agents.length} agents: ${agents.join(', ')}). Next: partycost estimate`);
}
