import path from 'node:path';
import { configWarnings } from '../service/configService';
import { Workspace } from '../service/workspace';
import type { ValidConfig } from '../service/workspace';
import type { CliArgs } from './args';
import type { Output } from './output';

/** What a command is given: its arguments, where it was run, where it writes, and the workspace it works on. */
export interface CommandContext {
  args: CliArgs;
  cwd: string;
  out: Output;
  ws: Workspace;
}

/** How a path is shown to the user: relative to where they are, when it is below it. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * The workspace of a command: `--workspace`; its configuration `--config` (a partycost.json, or a CrewAI config
 * directory or YAML file), else the workspace's partycost.json, else its CrewAI project; its database `--db`, else
 * `PARTYCOST_DB`, else `.partycost/partycost.db`; Redis `--redis`, else `PARTYCOST_REDIS_URL`. Paths are shown
 * relative to where the command was run.
 */
export function workspaceOf(args: CliArgs, cwd: string, out: Output, env: NodeJS.ProcessEnv = process.env): Workspace {
  const db = args.db ?? env.PARTYCOST_DB;
  return new Workspace({
    root: args.workspace,
    config: args.config ? path.resolve(cwd, args.config) : undefined,
    db: db ? path.resolve(cwd, db) : undefined,
    redisUrl: args.redis ?? (env.PARTYCOST_REDIS_URL || undefined),
    // A short command gives a Redis that answers a head start, so its first lookup can hit.
    redisHeadStartMs: 50,
    busyTimeoutMs: Number(env.PARTYCOST_BUSY_TIMEOUT_MS) || undefined,
    display: (file) => displayPath(file, cwd),
    hints: { missing: '; run "partycost init" to write the sample, or pass --config FILE (a partycost.json or a CrewAI config directory)' },
    warn: (line) => out.warn(`partycost: ${line}`),
  });
}

/** The workspace's configuration, valid (else a UserError listing its problems); its warnings are printed first. */
export function requireConfig(ctx: CommandContext): ValidConfig {
  const loaded = ctx.ws.config();
  configWarnings(loaded).forEach((line) => ctx.out.warn(line));
  return loaded;
}
