import { redact } from '../shared/redact';
import { apiBase, forges, syncComment } from '../service/reviewComments';
import type { CommentOutcome, CommentThread, Forge } from '../service/reviewComments';
import type { CliArgs } from './args';
import type { CommandContext } from './context';
import { failOnViolations, reviewOf, reviewOptions } from './diffCommand';
import { reviewMarkdown, summaryLine } from './diffMarkdown';
import { CliError, exitCodes } from './errors';
import type { Output } from './output';

const usage =
  'partycost: usage: partycost comment github --repo OWNER/NAME --pr N --base REV | comment gitlab [--project ID] [--mr IID] --base REV ' +
  '([--head REV] [--max-increase PERCENT] [--max-per-party USD])';

/** GitHub takes 65,536 characters in a comment: the table is cut to fit well within. */
const maxCommentLength = 60_000;

/**
 * `partycost comment github|gitlab --base REV …`: the cost diff as one comment on the pull request (merge request),
 * created, updated in place on later runs, or deleted when the change no longer affects cost; a crossed limit exits 1
 * once the comment is posted, so the reviewer sees why the check failed.
 */
export async function commentCommand(ctx: CommandContext, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { args } = ctx;
  const forge = args.positionals[0];
  if (args.positionals.length !== 1 || (forge !== 'github' && forge !== 'gitlab')) throw new CliError(usage, exitCodes.usage);
  const options = reviewOptions(args);
  const thread = threadOf(forge, args, env);
  const out = redacting(ctx.out, thread.token);
  const review = reviewOf({ ...ctx, out }, options);
  const post = review.affectsCost || review.violations.length > 0;
  const where = forges[forge].what(thread);
  const body = post ? reviewMarkdown(review, { head: forge === 'github' ? 'this pull request' : 'this merge request', maxLength: maxCommentLength }) : null;
  const outcome = await syncComment(thread, body);
  const url = outcome.url ?? gitlabNoteUrl(forge, thread, outcome, env);
  const summary = summaryLine(review).replace(/\*\*/g, '');
  if (args.json)
    out.json({
      forge,
      action: outcome.action,
      ...(outcome.id ? { id: outcome.id } : {}),
      ...(url ? { url } : {}),
      duplicatesDeleted: outcome.duplicatesDeleted,
      affectsCost: review.affectsCost,
      summary,
    });
  else {
    out.line(summary);
    out.line(`${said(outcome, where)}${url ? `: ${url}` : ''}`);
  }
  failOnViolations(review.violations);
}

function said(outcome: CommentOutcome, where: string): string {
  const copies = outcome.duplicatesDeleted ? ` (and deleted ${outcome.duplicatesDeleted} older cop${outcome.duplicatesDeleted === 1 ? 'y' : 'ies'})` : '';
  switch (outcome.action) {
    case 'created':
      return `Posted the cost comment on ${where}${copies}`;
    case 'updated':
      return `Updated the cost comment on ${where}${copies}`;
    case 'unchanged':
      return `The cost comment on ${where} already says this${copies}`;
    case 'deleted':
      return `Deleted the cost comment on ${where}: the change no longer affects cost`;
    case 'none':
      return `No cost change: no comment on ${where}`;
  }
}

/** The thread from the flags and the environment: the token, the API (GITHUB_API_URL, CI_API_V4_URL), which request. */
function threadOf(forge: Forge, args: CliArgs, env: NodeJS.ProcessEnv): CommentThread {
  if (forge === 'github') {
    const repo = stringFlag(args, 'repo') ?? env.GITHUB_REPOSITORY;
    if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo))
      throw new CliError(`partycost: --repo takes OWNER/NAME${repo ? `, not "${repo}"` : ' (default: GITHUB_REPOSITORY)'}`, exitCodes.usage);
    const pr = numberOf(stringFlag(args, 'pr') ?? /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1], '--pr', 'the pull request number');
    return { forge, api: apiBase(forge, env), token: tokenOf(forge, env), repo, number: pr };
  }
  const project = stringFlag(args, 'project') ?? env.CI_PROJECT_ID;
  if (!project) throw new CliError('partycost: --project takes the project id or path (default: CI_PROJECT_ID)', exitCodes.usage);
  const mr = numberOf(stringFlag(args, 'mr') ?? env.CI_MERGE_REQUEST_IID, '--mr', 'the merge request iid (default: CI_MERGE_REQUEST_IID)');
  return { forge, api: apiBase(forge, env), token: tokenOf(forge, env), repo: project, number: mr };
}

function stringFlag(args: CliArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function numberOf(value: string | undefined, flag: string, what: string): number {
  if (value === undefined || !/^[1-9]\d{0,9}$/.test(value)) {
    throw new CliError(`partycost: ${flag} takes ${what}${value === undefined ? '' : `, not "${value}"`}`, exitCodes.usage);
  }
  return Number(value);
}

/**
 * GitHub: GITHUB_TOKEN. GitLab: GITLAB_TOKEN (sent as PRIVATE-TOKEN); CI_JOB_TOKEN is not used, as GitLab lets a job
 * token reach only a few endpoints, and merge request notes are not among them.
 */
function tokenOf(forge: Forge, env: NodeJS.ProcessEnv): string {
  const variable = forges[forge].tokenVariable;
  const token = env[variable]?.trim();
  if (token) return token;
  if (forge === 'github')
    throw new CliError(`partycost: comment github needs a token in GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: \${{ github.token }})`);
  const job = env.CI_JOB_TOKEN ? ': CI_JOB_TOKEN cannot write merge request notes (GitLab lets a job token reach only a few endpoints)' : '';
  throw new CliError(`partycost: comment gitlab needs a token in GITLAB_TOKEN${job}; add a project access token with the api scope as a masked CI/CD variable`);
}

/** GitLab answers a note without its address: the merge request's page, at the note, when CI_PROJECT_URL says where. */
function gitlabNoteUrl(forge: Forge, thread: CommentThread, outcome: CommentOutcome, env: NodeJS.ProcessEnv): string | undefined {
  if (forge !== 'gitlab' || !outcome.id || !env.CI_PROJECT_URL || outcome.action === 'deleted') return undefined;
  return `${env.CI_PROJECT_URL.replace(/\/$/, '')}/-/merge_requests/${thread.number}#note_${outcome.id}`;
}

/** The command's output with the token redacted too (the shared redactor knows the vendors' keys, not a forge's token). */
function redacting(out: Output, token: string): Output {
  const clean = (text: string): string => redact(text, [token]);
  return { line: (text) => out.line(clean(text)), json: (value) => out.line(clean(JSON.stringify(value, null, 2))), warn: (text) => out.warn(clean(text)) };
}
