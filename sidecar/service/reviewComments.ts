import { UserError } from '../contract/errors';
import { isLoopback } from '../shared/loopback';
import { redact } from '../shared/redact';

/** Where a review comment goes: a GitHub pull request or a GitLab merge request. */
export type Forge = 'github' | 'gitlab';

/** The hidden first line that marks the one comment partycost keeps on a pull request. */
export const commentMarker = '<!-- partycost -->';

/** A pull request's (or merge request's) comments, and how to reach them. */
export interface CommentThread {
  forge: Forge;
  /** The REST API's base: GITHUB_API_URL, CI_API_V4_URL, or the vendor's own. */
  api: URL;
  token: string;
  /** GitHub: OWNER/NAME; GitLab: the project's id or path. */
  repo: string;
  /** The pull request's number, the merge request's iid. */
  number: number;
}

/** What became of the comment. */
export interface CommentOutcome {
  action: 'created' | 'updated' | 'unchanged' | 'deleted' | 'none';
  id?: number;
  /** The comment's page, when the API says (GitHub's html_url). */
  url?: string;
  /** Earlier copies of the comment (two runs at once) that were deleted, so one remains. */
  duplicatesDeleted: number;
}

interface ForgeRules {
  name: string;
  tokenVariable: string;
  apiVariable: string;
  defaultApi: string;
  headers(token: string): Record<string, string>;
  /** The thread's comments (path and query below the API base), create goes to the same path. */
  comments(thread: CommentThread): string;
  comment(thread: CommentThread, id: number): string;
  updateMethod: 'PATCH' | 'PUT';
  /** `pull request #7 of o/r`. */
  what(thread: CommentThread): string;
  forbidden: string;
  notFound: string;
}

export const forges: Record<Forge, ForgeRules> = {
  github: {
    name: 'GitHub',
    tokenVariable: 'GITHUB_TOKEN',
    apiVariable: 'GITHUB_API_URL',
    defaultApi: 'https://api.github.com',
    headers: (token) => ({
      Authorization: `Bearer ${token}`,
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'partycost',
    }),
    comments: (t) => `/repos/${t.repo}/issues/${t.number}/comments`,
    comment: (t, id) => `/repos/${t.repo}/issues/comments/${id}`,
    updateMethod: 'PATCH',
    what: (t) => `pull request #${t.number} of ${t.repo}`,
    forbidden:
      'the token may not write comments there: a workflow needs "permissions: pull-requests: write" (a pull request from a fork gets a read-only token)',
    notFound: 'check --repo and --pr (a private repository answers 404 to a token that cannot read it)',
  },
  gitlab: {
    name: 'GitLab',
    tokenVariable: 'GITLAB_TOKEN',
    apiVariable: 'CI_API_V4_URL',
    defaultApi: 'https://gitlab.com/api/v4',
    headers: (token) => ({ 'PRIVATE-TOKEN': token, 'User-Agent': 'partycost' }),
    comments: (t) => `/projects/${encodeURIComponent(t.repo)}/merge_requests/${t.number}/notes`,
    comment: (t, id) => `/projects/${encodeURIComponent(t.repo)}/merge_requests/${t.number}/notes/${id}`,
    updateMethod: 'PUT',
    what: (t) => `merge request !${t.number} of project ${t.repo}`,
    forbidden: 'the token needs the api scope and at least the Reporter role in the project',
    notFound: 'check --project and --mr (CI_PROJECT_ID, CI_MERGE_REQUEST_IID)',
  },
};

/**
 * The API base an environment names, else the vendor's own. The token goes nowhere else: plain http only to this
 * machine, no credentials in the URL.
 */
export function apiBase(forge: Forge, env: NodeJS.ProcessEnv): URL {
  const rules = forges[forge];
  const value = env[rules.apiVariable] || rules.defaultApi;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${rules.apiVariable} "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`${rules.apiVariable} ${value} is not an http(s) URL`);
  if (url.username || url.password) throw new UserError(`${rules.apiVariable} holds credentials: give the token in ${rules.tokenVariable} instead`);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new UserError(
      `${rules.apiVariable} ${url.origin} is plain http: ${rules.tokenVariable} would cross the network unencrypted; use https (plain http goes only to this machine)`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * Keeps one comment on the thread, found by its marker: created, updated in place (or left when it says the same),
 * or, when `body` is null (the change no longer affects cost), deleted.
 */
export async function syncComment(thread: CommentThread, body: string | null, timeoutMs = 30_000): Promise<CommentOutcome> {
  const api = new Api(thread, timeoutMs);
  const ours = await api.ours();
  const rules = forges[thread.forge];
  if (body === null) {
    for (const comment of ours) await api.remove(comment.id);
    return { action: ours.length ? 'deleted' : 'none', duplicatesDeleted: Math.max(0, ours.length - 1) };
  }
  const text = body.startsWith(commentMarker) ? body : `${commentMarker}\n${body}`;
  const [first, ...copies] = ours;
  for (const copy of copies) await api.remove(copy.id);
  const duplicatesDeleted = copies.length;
  if (first?.body === text) return { action: 'unchanged', id: first.id, ...urlOf(first), duplicatesDeleted };
  if (first) {
    const updated = await api.send(rules.updateMethod, rules.comment(thread, first.id), { body: text }, true);
    if (updated) return { action: 'updated', id: first.id, ...urlOf(updated), duplicatesDeleted };
    // Deleted by someone since it was listed: a new one takes its place.
  }
  const created = (await api.send('POST', rules.comments(thread), { body: text }))!;
  return { action: 'created', id: created.id, ...urlOf(created), duplicatesDeleted };
}

interface ApiComment {
  id: number;
  body?: string;
  html_url?: string;
  /** GitLab's notes of events (pushed commits, approvals): never ours. */
  system?: boolean;
}

const urlOf = (comment: ApiComment): { url?: string } => (typeof comment.html_url === 'string' ? { url: comment.html_url } : {});

/** The most pages of comments read (100 each): a thread longer than 10,000 comments is not searched further. */
const maxPages = 100;

/** One thread's REST calls, each worded as one line when it fails, the token redacted from every word. */
class Api {
  private readonly rules: ForgeRules;

  constructor(
    private readonly thread: CommentThread,
    private readonly timeoutMs: number,
  ) {
    this.rules = forges[thread.forge];
  }

  /** The comments that carry the marker, oldest first, over every page (the Link header's `next`). */
  async ours(): Promise<ApiComment[]> {
    const found: ApiComment[] = [];
    let next: string | undefined =
      `${this.url(this.rules.comments(this.thread))}?per_page=100${this.thread.forge === 'gitlab' ? '&sort=asc&order_by=created_at' : ''}`;
    for (let page = 0; next && page < maxPages; page++) {
      const { response, json } = await this.call('GET', next);
      const items = Array.isArray(json) ? (json as ApiComment[]) : [];
      found.push(...items.filter((c) => typeof c?.id === 'number' && !c.system && typeof c.body === 'string' && c.body.startsWith(commentMarker)));
      next = this.nextPage(response, next);
    }
    return found;
  }

  /** A comment's JSON; with `gone`, undefined when the comment no longer exists (404). */
  async send(method: string, path: string, body: object, gone = false): Promise<ApiComment | undefined> {
    const { response, json } = await this.call(method, this.url(path), body, gone ? [404] : []);
    return response.status === 404 ? undefined : (json as ApiComment);
  }

  /** Deletes a comment; one already gone is as good. */
  async remove(id: number): Promise<void> {
    await this.call('DELETE', this.url(this.rules.comment(this.thread, id)), undefined, [404]);
  }

  private url(path: string): string {
    return `${this.thread.api.href.replace(/\/$/, '')}${path}`;
  }

  /** The next page: the Link header's (on the API's own origin only), else GitLab's X-Next-Page. */
  private nextPage(response: Response, current: string): string | undefined {
    const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1];
    if (link) {
      const next = new URL(link, current);
      if (next.origin !== this.thread.api.origin) {
        throw this.error(`${this.rules.name}'s next page of comments is at ${next.origin}, not ${this.thread.api.origin}: the token is not sent there`);
      }
      return next.href;
    }
    const page = response.headers.get('x-next-page');
    if (!page || !/^\d+$/.test(page)) return undefined;
    const next = new URL(current);
    next.searchParams.set('page', page);
    return next.href;
  }

  private async call(method: string, url: string, body?: object, allowed: number[] = []): Promise<{ response: Response; json: unknown }> {
    const where = `${method} ${new URL(url).pathname}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { ...this.rules.headers(this.thread.token), ...(body ? { 'Content-Type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        // A redirect would carry the token to wherever it points: refused, not followed.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.unreachable(error, where);
    }
    const text = await response.text().catch(() => '');
    if (response.ok || allowed.includes(response.status)) return { response, json: parse(text) };
    throw this.failure(response, where, text);
  }

  private unreachable(error: unknown, where: string): UserError {
    const origin = this.thread.api.origin;
    if ((error as Error)?.name === 'TimeoutError')
      return this.error(`${this.rules.name} at ${origin} did not answer ${where} within ${this.timeoutMs / 1000} s`);
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const why = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
    return this.error(`cannot reach ${this.rules.name} at ${origin} (${why}): check ${this.rules.apiVariable}`);
  }

  private failure(response: Response, where: string, text: string): UserError {
    const { name, tokenVariable } = this.rules;
    const said = vendorMessage(text);
    const code = response.statusText ? `${response.status} ${response.statusText}` : String(response.status);
    const status = `${code} on ${where}${said ? `: ${said}` : ''}`;
    if (response.status >= 300 && response.status < 400) {
      const to = response.headers.get('location');
      return this.error(
        `${name} answered ${status} with a redirect${to ? ` to ${to}` : ''}: set ${this.rules.apiVariable} to the API's own address (the token is not sent on)`,
      );
    }
    if (rateLimited(response)) return this.error(`${name}'s API rate limit is reached (${status}): ${resetText(response.headers)}`);
    if (response.status === 401) return this.error(`${name} refused the token in ${tokenVariable} (${status}): it is missing, wrong or expired`);
    if (response.status === 403) return this.error(`${name} forbids this (${status}): ${this.rules.forbidden}`);
    if (response.status === 404) return this.error(`${name} found no ${this.rules.what(this.thread)} (${status}): ${this.rules.notFound}`);
    return this.error(`${name} answered ${status}${response.status >= 500 ? '; try again later' : ''}`);
  }

  /** Every word that leaves here is rid of the token, whatever a server quoted back. */
  private error(message: string): UserError {
    return new UserError(redact(message, [this.thread.token]));
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The vendor's own words, one line, at most 200 characters: GitHub's and GitLab's `message`, GitLab's `error`. */
function vendorMessage(text: string): string {
  const json = parse(text) as { message?: unknown; error?: unknown } | undefined;
  const said = json?.message ?? json?.error;
  const line = (typeof said === 'string' ? said : said === undefined ? '' : JSON.stringify(said)).replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** 429, or GitHub's 403 with no requests left (its primary limit) or a Retry-After (its secondary one). */
function rateLimited(response: Response): boolean {
  if (response.status === 429) return true;
  return response.status === 403 && (response.headers.get('x-ratelimit-remaining') === '0' || response.headers.has('retry-after'));
}

/** When the limit resets: Retry-After (seconds), else X-RateLimit-Reset (GitHub) or RateLimit-Reset (GitLab), epoch seconds. */
function resetText(headers: Headers, now = Date.now()): string {
  const retry = headers.get('retry-after');
  const reset = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
  const at = retry && /^\d+$/.test(retry) ? now + Number(retry) * 1000 : reset && /^\d+$/.test(reset) ? Number(reset) * 1000 : undefined;
  if (at === undefined) return 'wait a while and run it again';
  const seconds = Math.max(0, Math.ceil((at - now) / 1000));
  const wait = seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
  return `it resets at ${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')} (in ${wait}); run it again then`;
}
