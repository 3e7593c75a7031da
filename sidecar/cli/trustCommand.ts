import { namedEndpoints, trustEndpoints, trustFile, trustedEndpoints, untrust } from '../service/trust';
import { displayPath } from './context';
import type { CommandContext } from './context';

/**
 * `partycost trust` lets this workspace's configured endpoints (`providers.<name>.baseURL`) receive API keys from the
 * environment; `--list` shows what it trusts, `--remove` withdraws it. Recorded in the user's own configuration folder.
 */
export function trustCommand(ctx: CommandContext): void {
  const { args, out, ws } = ctx;
  const file = displayPath(trustFile(), ctx.cwd);
  const say = (json: Record<string, unknown>, line: string): void => (args.json ? out.json({ workspace: ws.root, ...json }) : out.line(line));
  if (args.flags.remove) {
    const had = untrust(ws.root);
    say({ trusted: [], removed: had }, had.length ? `No longer trusted here: ${had.join(', ')} (${file})` : 'This workspace trusted no endpoint.');
  } else if (args.flags.list) {
    const trusted = trustedEndpoints(ws.root);
    say(
      { trusted },
      trusted.length
        ? `Trusted with API keys here: ${trusted.join(', ')}`
        : "This workspace trusts no endpoint: keys go only to the vendors' own and to those your environment names.",
    );
  } else {
    const endpoints = namedEndpoints(ws.config().config);
    if (!endpoints.length)
      say({ trusted: trustedEndpoints(ws.root) }, "The configuration names no endpoint of its own: keys go to the vendors' endpoints, nothing to trust.");
    else {
      const trusted = trustEndpoints(ws.root, endpoints);
      say({ trusted }, `Trusted with API keys here: ${trusted.join(', ')} (recorded in ${file}; "partycost trust --remove" withdraws it)`);
    }
  }
}
