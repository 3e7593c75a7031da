import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// partycost comment through the built CLI, against local stand-ins of GitHub's and GitLab's REST APIs on 127.0.0.1:
// one comment created, found again over pages of comments, updated in place, deleted when the change no longer costs
// anything; every request checked (method, path, token header, body); API errors as one line, the token never printed.

const bin = path.resolve('bin/partycost.js');
const sample = readFileSync('examples/party-planner/partycost.json', 'utf8');
const scratch = mkdtempSync(path.join(tmpdir(), 'partycost-comment-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const marker = '<!-- partycost -->';
const githubToken = 'ghs_CanaryToken0123456789abcdefABCDEF';
const gitlabToken = 'glpat-CanaryToken0123456789xyz';

/** No git, CI or forge variables of whatever runs the tests (it may be a GitHub Action itself). */
const baseEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(GIT_|GITHUB_|GITLAB_|CI_|CI$|PARTYCOST_)/.test(name))),
  NO_COLOR: '1',
  GIT_CEILING_DIRECTORIES: scratch,
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as its own process; asynchronous, so this process's stand-in servers answer it meanwhile. */
function partycost(cwd: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...baseEnv, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd, env: baseEnv, stdio: 'ignore' });
}

function repository(text: string): string {
  const dir = mkdtempSync(path.join(scratch, 'repo-'));
  git(dir, 'init', '-q');
  git(dir, 'config', 'user.name', 'Party Cost Test');
  git(dir, 'config', 'user.email', 'test@partycost.invalid');
  commit(dir, text, 'the sample');
  return dir;
}

function commit(dir: string, text: string, message: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'partycost.json'), text);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
}

function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the text no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

const themeOnGpt4o = edit(sample, '"theme": {\n      "system"', '"theme": {\n      "model": "gpt-4o",\n      "system"');
const longerVenuePrompt = edit(
  themeOnGpt4o,
  'Theme: {{theme}}",\n      "expectedOutputTokens": 250',
  'Theme: {{theme}}. Check accessibility and parking.",\n      "expectedOutputTokens": 250',
);

interface Recorded {
  method: string;
  /** The path as sent, still percent-encoded. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: { body?: string } | undefined;
}

interface Comment {
  id: number;
  body: string;
  system?: boolean;
}

/** A canned answer for the requests `when` matches, instead of the stand-in's own. */
interface Fault {
  when: (r: Recorded) => boolean;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * GitHub's issue comments (`/repos/O/R/issues/N/comments`, `/repos/O/R/issues/comments/ID`) or GitLab's merge
 * request notes (`/api/v4/projects/P/merge_requests/N/notes[/ID]`), on one thread, with their pagination headers.
 */
class StandIn {
  readonly requests: Recorded[] = [];
  comments: Comment[] = [];
  faults: Fault[] = [];
  /** GitLab's stand-in also says the next page in X-Next-Page; without the Link header, only there. */
  linkHeader = true;
  private nextId = 1;
  private server!: Server;
  url = '';

  constructor(readonly forge: 'github' | 'gitlab') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => this.answer(req.method!, req.url!, req.headers, text, res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Comments of other people, before ours. */
  seed(count: number, body = (i: number) => `comment ${i}`): void {
    for (let i = 0; i < count; i++) this.comments.push({ id: this.nextId++, body: body(i) });
  }

  ours(): Comment[] {
    return this.comments.filter((c) => c.body.startsWith(marker));
  }

  /** The requests since the last call (and forgets them). */
  take(): Recorded[] {
    return this.requests.splice(0);
  }

  private answer(method: string, url: string, headers: IncomingHttpHeaders, text: string, res: ServerResponse): void {
    const parsed = new URL(url, this.url);
    const recorded: Recorded = {
      method,
      path: url.split('?')[0]!,
      query: Object.fromEntries(parsed.searchParams),
      headers,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(recorded);
    const send = (status: number, body?: unknown, extra: Record<string, string> = {}): void => {
      res.writeHead(status, { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...extra });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const fault = this.faults.find((f) => f.when(recorded));
    if (fault) send(fault.status, fault.body, fault.headers);
    else this.serve(recorded, parsed, send);
  }

  /** The forge's own answer: 401 without its token; list, create, update, delete on the one thread. */
  private serve(recorded: Recorded, url: URL, send: (status: number, body?: unknown, extra?: Record<string, string>) => void): void {
    const { method, headers } = recorded;
    const authorized = this.forge === 'github' ? headers.authorization === `Bearer ${githubToken}` : headers['private-token'] === gitlabToken;
    const list =
      this.forge === 'github' ? /^\/repos\/octo\/party\/issues\/7\/comments$/ : /^\/api\/v4\/projects\/party-group%2Fparty-planner\/merge_requests\/3\/notes$/;
    const item =
      this.forge === 'github'
        ? /^\/repos\/octo\/party\/issues\/comments\/(\d+)$/
        : /^\/api\/v4\/projects\/party-group%2Fparty-planner\/merge_requests\/3\/notes\/(\d+)$/;
    const comment = this.comments.find((c) => c.id === Number(item.exec(recorded.path)?.[1]));
    if (!authorized) {
      // A server that quotes the credentials it was sent, as some do: they must not reach the user's screen.
      send(401, { message: `Bad credentials (${String(this.forge === 'github' ? headers.authorization : headers['private-token'])})` });
    } else if (list.test(recorded.path) && method === 'GET') {
      this.page(url, send);
    } else if (list.test(recorded.path) && method === 'POST') {
      const created = { id: this.nextId++, body: recorded.body!.body! };
      this.comments.push(created);
      send(201, this.shown(created));
    } else if (!comment) {
      send(404, { message: 'Not Found' });
    } else if (method === (this.forge === 'github' ? 'PATCH' : 'PUT')) {
      comment.body = recorded.body!.body!;
      send(200, this.shown(comment));
    } else if (method === 'DELETE') {
      this.comments = this.comments.filter((c) => c !== comment);
      send(204);
    } else {
      send(405, { message: 'Method Not Allowed' });
    }
  }

  private page(url: URL, send: (status: number, body?: unknown, extra?: Record<string, string>) => void): void {
    const size = Number(url.searchParams.get('per_page') ?? 20);
    const page = Number(url.searchParams.get('page') ?? 1);
    const items = this.comments.slice((page - 1) * size, page * size).map((c) => this.shown(c));
    const more = page * size < this.comments.length;
    const next = new URL(url.href.replace(url.origin, this.url));
    next.searchParams.set('page', String(page + 1));
    const headers: Record<string, string> = {};
    if (more && this.linkHeader) headers.Link = `<${next.href}>; rel="next", <${next.href}>; rel="last"`;
    if (this.forge === 'gitlab') headers['X-Next-Page'] = more ? String(page + 1) : '';
    send(200, items, headers);
  }

  private shown(comment: Comment): object {
    return this.forge === 'github'
      ? { id: comment.id, body: comment.body, html_url: `https://github.example/octo/party/pull/7#issuecomment-${comment.id}` }
      : { id: comment.id, body: comment.body, system: comment.system ?? false };
  }
}

const githubEnv = (api: StandIn): Record<string, string> => ({ GITHUB_API_URL: api.url, GITHUB_TOKEN: githubToken });
const githubArgs = ['comment', 'github', '--repo', 'octo/party', '--pr', '7'];
const gitlabEnv = (api: StandIn): Record<string, string> => ({
  CI_API_V4_URL: `${api.url}/api/v4`,
  CI_PROJECT_ID: 'party-group/party-planner',
  CI_MERGE_REQUEST_IID: '3',
  CI_PROJECT_URL: 'https://gitlab.example/party-group/party-planner',
  GITLAB_TOKEN: gitlabToken,
});

/** `diff --format markdown` as the comment carries it: the marker first, the head named for a reviewer. */
async function expectedBody(dir: string, base: string, head: string): Promise<string> {
  const diff = await partycost(dir, ['diff', '--base', base, '--format', 'markdown'], {});
  assert.equal(diff.code, 0, diff.stderr);
  return `${marker}\n${diff.stdout.replace(' → working tree</summary>', ` → ${head}</summary>`).replace(/\n$/, '')}`;
}

const line = (r: Recorded): string => `${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ''}`;

test('GitHub: one comment, created, found again over three pages, updated in place, left alone, then deleted when cost is back', async () => {
  const api = await new StandIn('github').start();
  try {
    // 230 comments of others before ours, one quoting the marker further in: ours lands on page 3.
    api.seed(230, (i) => (i === 5 ? `As the bot says: ${marker} is how it finds its comment` : `comment ${i}`));
    const dir = repository(sample);
    commit(dir, themeOnGpt4o, 'the theme on gpt-4o');

    const created = await partycost(dir, [...githubArgs, '--base', 'HEAD~1'], githubEnv(api));
    assert.equal(created.code, 0, created.stderr);
    const [first] = api.ours();
    assert.ok(first);
    assert.deepEqual(created.stdout.split('\n').slice(0, 2), [
      'Agent cost: +$2.95 a month (+21.8 %), $13.54 → $16.48 · changed: theme (model)',
      `Posted the cost comment on pull request #7 of octo/party: https://github.example/octo/party/pull/7#issuecomment-${first.id}`,
    ]);
    const requests = api.take();
    assert.deepEqual(requests.map(line), [
      'GET /repos/octo/party/issues/7/comments?per_page=100',
      'GET /repos/octo/party/issues/7/comments?per_page=100&page=2',
      'GET /repos/octo/party/issues/7/comments?per_page=100&page=3',
      'POST /repos/octo/party/issues/7/comments',
    ]);
    for (const r of requests) {
      assert.equal(r.headers.authorization, `Bearer ${githubToken}`);
      assert.equal(r.headers.accept, 'application/vnd.github+json');
      assert.equal(r.headers['x-github-api-version'], '2022-11-28');
    }
    assert.equal(requests[3]!.headers['content-type'], 'application/json');
    assert.deepEqual(Object.keys(requests[3]!.body!), ['body']);
    assert.equal(requests[3]!.body!.body, await expectedBody(dir, 'HEAD~1', 'this pull request'));
    assert.match(
      first.body,
      /^<!-- partycost -->\n\*\*Agent cost: \+\$2\.95 a month \(\+21\.8 %\)\*\*, \$13\.54 → \$16\.48 · changed: theme \(model\)\n\n<details>/,
    );
    assert.match(first.body, /^\| theme \| model \| gpt-4o-mini → gpt-4o \| 36 \| 200 \| \$0\.0001274 → \$0\.002092 \| \$0\.1911 → \$3\.14 \(\+\$2\.95\) \|$/m);

    // The next push: the same comment, updated in place.
    commit(dir, longerVenuePrompt, 'a longer venue prompt');
    const updated = await partycost(dir, [...githubArgs, '--base', 'HEAD~2'], githubEnv(api));
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(
      updated.stdout,
      new RegExp(`^Updated the cost comment on pull request #7 of octo/party: https://github\\.example/octo/party/pull/7#issuecomment-${first.id}$`, 'm'),
    );
    const patch = api.take().at(-1)!;
    assert.equal(line(patch), `PATCH /repos/octo/party/issues/comments/${first.id}`);
    assert.equal(patch.headers.authorization, `Bearer ${githubToken}`);
    assert.equal(patch.body!.body, await expectedBody(dir, 'HEAD~2', 'this pull request'));
    assert.match(patch.body!.body!, /· changed: theme \(model\), venue \(prompt\)\n/);
    assert.equal(api.ours().length, 1);
    assert.equal(api.comments.length, 231);

    // Run again with nothing new: nothing written.
    const same = await partycost(dir, [...githubArgs, '--base', 'HEAD~2'], githubEnv(api));
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /^The cost comment on pull request #7 of octo\/party already says this: https:/m);
    assert.deepEqual(
      api.take().map((r) => r.method),
      ['GET', 'GET', 'GET'],
    );

    // Back to the base's costs: the comment goes.
    commit(dir, sample, 'revert');
    const deleted = await partycost(dir, [...githubArgs, '--base', 'HEAD~3'], githubEnv(api));
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(deleted.stdout.split('\n').slice(0, 2), [
      'Agent cost: no change, $13.54 a month',
      'Deleted the cost comment on pull request #7 of octo/party: the change no longer affects cost',
    ]);
    assert.equal(line(api.take().at(-1)!), `DELETE /repos/octo/party/issues/comments/${first.id}`);
    assert.deepEqual(api.ours(), []);
    assert.equal(api.comments.length, 230, "others' comments stay");

    const none = await partycost(dir, [...githubArgs, '--base', 'HEAD~3'], githubEnv(api));
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^No cost change: no comment on pull request #7 of octo\/party$/m);
    assert.ok(
      api.take().every((r) => r.method === 'GET'),
      'nothing written',
    );
  } finally {
    await api.stop();
  }
});

test('GitHub: a crossed limit posts the comment with the limit, keeps one copy, then exits 1; --json says what happened', async () => {
  const api = await new StandIn('github').start();
  try {
    api.seed(2, () => `${marker}\nan older cost comment`);
    const dir = repository(sample);
    commit(dir, themeOnGpt4o, 'the theme on gpt-4o');
    const run = await partycost(dir, [...githubArgs, '--base', 'HEAD~1', '--max-increase', '10', '--json'], githubEnv(api));
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'partycost: per-party cost rose by 21.8 % ($0.0090249 → $0.0109895), over the limit of 10 % (--max-increase)\n');
    assert.deepEqual(JSON.parse(run.stdout), {
      forge: 'github',
      action: 'updated',
      id: 1,
      url: 'https://github.example/octo/party/pull/7#issuecomment-1',
      duplicatesDeleted: 1,
      affectsCost: true,
      summary: 'Agent cost: +$2.95 a month (+21.8 %), $13.54 → $16.48 · changed: theme (model)',
    });
    assert.deepEqual(api.take().map(line), [
      'GET /repos/octo/party/issues/7/comments?per_page=100',
      'DELETE /repos/octo/party/issues/comments/2',
      'PATCH /repos/octo/party/issues/comments/1',
    ]);
    assert.equal(api.comments.length, 1);
    const lines = api.comments[0]!.body.split('\n');
    assert.equal(lines[0], marker);
    assert.match(lines[1]!, /^\*\*Agent cost: \+\$2\.95 a month/);
    assert.equal(lines[2], '> **Limit crossed:** per-party cost rose by 21.8 % ($0.0090249 → $0.0109895), over the limit of 10 % (--max-increase)');

    // A limit crossed with no change still says so on the pull request: the check fails for a reason the reviewer sees.
    const unchanged = repository(sample);
    const over = await partycost(unchanged, [...githubArgs, '--base', 'HEAD', '--max-per-party', '0.005'], githubEnv(api));
    assert.equal(over.code, 1);
    assert.match(api.comments[0]!.body, /^> \*\*Limit crossed:\*\* per-party cost \$0\.0090249 is over the limit of \$0\.005000 \(--max-per-party\)$/m);
  } finally {
    await api.stop();
  }
});

test('GitHub: a change to 1,200 agents is cut to fit a comment (65,536 characters), saying how many more agents changed', async () => {
  const api = await new StandIn('github').start();
  try {
    const agents = Object.fromEntries(
      Array.from({ length: 1200 }, (_, i) => [`agent_${i}`, { prompt: `Do task ${i} for {{inputs}}`, expectedOutputTokens: 100 }]),
    );
    const config = (model: string) => JSON.stringify({ defaults: { model }, agents }, null, 1);
    const dir = repository(config('gpt-4o-mini'));
    commit(dir, config('gpt-4o'), 'every agent on gpt-4o');
    const run = await partycost(dir, [...githubArgs, '--base', 'HEAD~1'], githubEnv(api));
    assert.equal(run.code, 0, run.stderr);
    const body = api.ours()[0]!.body;
    assert.ok(body.length <= 60_000, `${body.length} characters`);
    const rows = body.split('\n').filter((row) => row.startsWith('| agent_'));
    assert.ok(rows.length > 100, `${rows.length} agents shown`);
    assert.ok(body.includes(`\n| … and ${1200 - rows.length} more agents: \`partycost diff --base HEAD~1\` lists every one | | | | | | |\n| **per party** |`));
    assert.match(
      body,
      /^\*\*Agent cost: \+\$1,\d{3}\.\d\d a month \(\+\d+\.\d %\)\*\*, \$\d+\.\d\d → \$1,\d{3}\.\d\d · changed: agent_\d+ \(model\), agent_\d+ \(model\), agent_\d+ \(model\) and 1197 more$/m,
    );
    assert.ok(body.endsWith('\n</details>'));
  } finally {
    await api.stop();
  }
});

test('GitHub API errors: one line each, exit 1, the token never printed, the rate limit with its reset time', async () => {
  const api = await new StandIn('github').start();
  try {
    const dir = repository(sample);
    commit(dir, themeOnGpt4o, 'the theme on gpt-4o');
    const comment = (env: Record<string, string> = githubEnv(api)) => partycost(dir, [...githubArgs, '--base', 'HEAD~1'], env);
    const inTenMinutes = Math.floor(Date.now() / 1000) + 600;
    const cases: Array<[string, Fault | undefined, Record<string, string>, RegExp]> = [
      [
        'wrong token (the server quotes it back)',
        undefined,
        { ...githubEnv(api), GITHUB_TOKEN: `${githubToken}X` },
        /^partycost: GitHub refused the token in GITHUB_TOKEN \(401 Unauthorized on GET \/repos\/octo\/party\/issues\/7\/comments: Bad credentials \(Bearer \[redacted\]\)\): it is missing, wrong or expired$/,
      ],
      [
        'a read-only token',
        { when: (r) => r.method === 'POST', status: 403, body: { message: 'Resource not accessible by integration' } },
        githubEnv(api),
        /^partycost: GitHub forbids this \(403 Forbidden on POST \/repos\/octo\/party\/issues\/7\/comments: Resource not accessible by integration\): the token may not write comments there: a workflow needs "permissions: pull-requests: write" \(a pull request from a fork gets a read-only token\)$/,
      ],
      [
        'no such pull request',
        { when: () => true, status: 404, body: { message: 'Not Found' } },
        githubEnv(api),
        /^partycost: GitHub found no pull request #7 of octo\/party \(404 Not Found on GET \/repos\/octo\/party\/issues\/7\/comments: Not Found\): check --repo and --pr/,
      ],
      [
        'the primary rate limit',
        {
          when: () => true,
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(inTenMinutes) },
          body: { message: 'API rate limit exceeded' },
        },
        githubEnv(api),
        new RegExp(
          `^partycost: GitHub's API rate limit is reached \\(403 Forbidden on GET /repos/octo/party/issues/7/comments: API rate limit exceeded\\): it resets at ${new Date(inTenMinutes * 1000).toISOString().replace('.000Z', 'Z')} \\(in (9|10) min\\); run it again then$`,
        ),
      ],
      [
        'a secondary rate limit',
        { when: () => true, status: 429, headers: { 'retry-after': '30' }, body: { message: 'You have exceeded a secondary rate limit' } },
        githubEnv(api),
        /^partycost: GitHub's API rate limit is reached \(429 Too Many Requests on GET .+\): it resets at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in (29|30) s\); run it again then$/,
      ],
      [
        'a server error',
        { when: () => true, status: 502, body: { message: 'Server Error' } },
        githubEnv(api),
        /^partycost: GitHub answered 502 Bad Gateway on GET \/repos\/octo\/party\/issues\/7\/comments: Server Error; try again later$/,
      ],
    ];
    for (const [what, fault, env, message] of cases) {
      api.faults = fault ? [fault] : [];
      const run = await comment(env);
      assert.equal(run.code, 1, what);
      assert.match(run.stderr, /^[^\n]*\n$/, `${what}: one line`);
      assert.match(run.stderr.trimEnd(), message, what);
      assert.ok(!`${run.stdout}${run.stderr}`.includes(githubToken.slice(4)), `${what}: the token is not printed`);
    }
    api.faults = [];
    assert.deepEqual(api.ours(), [], 'nothing was posted');

    const closed = await new StandIn('github').start();
    await closed.stop();
    const unreachable = await comment({ ...githubEnv(api), GITHUB_API_URL: closed.url });
    assert.equal(unreachable.code, 1);
    assert.equal(unreachable.stderr, `partycost: cannot reach GitHub at ${closed.url} (ECONNREFUSED): check GITHUB_API_URL\n`);
  } finally {
    await api.stop();
  }
});

test('the token goes only where the environment names: no plain http elsewhere, no redirect, no next page on another server', async () => {
  const api = await new StandIn('github').start();
  const elsewhere = await new StandIn('github').start();
  try {
    const dir = repository(sample);
    commit(dir, themeOnGpt4o, 'the theme on gpt-4o');
    const comment = (env: Record<string, string>, args: string[] = []) => partycost(dir, [...githubArgs, '--base', 'HEAD~1', ...args], env);

    const plain = await comment({ ...githubEnv(api), GITHUB_API_URL: 'http://api.github.example' });
    assert.equal(plain.code, 1);
    assert.equal(
      plain.stderr,
      'partycost: GITHUB_API_URL http://api.github.example is plain http: GITHUB_TOKEN would cross the network unencrypted; use https (plain http goes only to this machine)\n',
    );

    api.faults = [{ when: () => true, status: 301, headers: { Location: `${elsewhere.url}/repos/octo/party/issues/7/comments` } }];
    const redirected = await comment(githubEnv(api));
    assert.equal(redirected.code, 1);
    assert.match(
      redirected.stderr,
      /^partycost: GitHub answered 301 Moved Permanently on GET \/repos\/octo\/party\/issues\/7\/comments with a redirect to http:\/\/127\.0\.0\.1:\d+\/repos\/octo\/party\/issues\/7\/comments: set GITHUB_API_URL to the API's own address \(the token is not sent on\)\n$/,
    );

    api.faults = [{ when: () => true, status: 200, headers: { Link: `<${elsewhere.url}/repos/octo/party/issues/7/comments?page=2>; rel="next"` }, body: [] }];
    const paged = await comment(githubEnv(api));
    assert.equal(paged.code, 1);
    assert.equal(paged.stderr, `partycost: GitHub's next page of comments is at ${elsewhere.url}, not ${api.url}: the token is not sent there\n`);
    assert.deepEqual(elsewhere.take(), [], 'the other server never heard from the CLI');
    api.faults = [];

    const noToken = await comment({ GITHUB_API_URL: api.url });
    assert.equal(noToken.code, 1);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow's expression, as the message shows it
    assert.equal(noToken.stderr, 'partycost: comment github needs a token in GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ github.token }})\n');
    api.take();
    const usage: Array<[string[], RegExp]> = [
      [['comment', 'github', '--repo', 'octo/party', '--base', 'HEAD~1'], /^partycost: --pr takes the pull request number$/],
      [['comment', 'github', '--repo', 'octo', '--pr', '7', '--base', 'HEAD~1'], /^partycost: --repo takes OWNER\/NAME, not "octo"$/],
      [['comment', 'github', '--repo', 'octo/party', '--pr', 'seven', '--base', 'HEAD~1'], /^partycost: --pr takes the pull request number, not "seven"$/],
      [['comment', 'github', '--repo', 'octo/party', '--pr', '7'], /^partycost: --base REV is required/],
      [['comment', 'bitbucket', '--base', 'HEAD~1'], /^partycost: usage: partycost comment github/],
    ];
    for (const [args, message] of usage) {
      const run = await partycost(dir, args, githubEnv(api));
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr.trimEnd(), message);
    }
    // --pr from GITHUB_REF, --repo from GITHUB_REPOSITORY, as in a workflow run for a pull request.
    const inferred = await partycost(dir, ['comment', 'github', '--base', 'HEAD~1'], {
      ...githubEnv(api),
      GITHUB_REPOSITORY: 'octo/party',
      GITHUB_REF: 'refs/pull/7/merge',
    });
    assert.equal(inferred.code, 0, inferred.stderr);
    assert.equal(api.ours().length, 1);
    assert.ok(api.take().length > 0 && elsewhere.take().length === 0, 'every request went to the named API');
  } finally {
    await api.stop();
    await elsewhere.stop();
  }
});

test('GitLab: a merge request note with PRIVATE-TOKEN, found over pages (Link, else X-Next-Page), updated with PUT, deleted', async () => {
  const api = await new StandIn('gitlab').start();
  try {
    api.seed(150);
    api.comments.push({ id: 9999, body: `${marker}\nsystem notes are never ours`, system: true });
    const dir = repository(sample);
    commit(dir, themeOnGpt4o, 'the theme on gpt-4o');
    const comment = (base: string) => partycost(dir, ['comment', 'gitlab', '--base', base], gitlabEnv(api));
    const notes = '/api/v4/projects/party-group%2Fparty-planner/merge_requests/3/notes';

    const created = await comment('HEAD~1');
    assert.equal(created.code, 0, created.stderr);
    const [note] = api.ours().filter((c) => !c.system);
    assert.ok(note);
    assert.match(
      created.stdout,
      new RegExp(
        `^Posted the cost comment on merge request !3 of project party-group/party-planner: https://gitlab\\.example/party-group/party-planner/-/merge_requests/3#note_${note.id}$`,
        'm',
      ),
    );
    const requests = api.take();
    assert.deepEqual(requests.map(line), [
      `GET ${notes}?per_page=100&sort=asc&order_by=created_at`,
      `GET ${notes}?per_page=100&sort=asc&order_by=created_at&page=2`,
      `POST ${notes}`,
    ]);
    for (const r of requests) {
      assert.equal(r.headers['private-token'], gitlabToken);
      assert.equal(r.headers.authorization, undefined);
    }
    assert.equal(requests[2]!.body!.body, await expectedBody(dir, 'HEAD~1', 'this merge request'));

    commit(dir, longerVenuePrompt, 'a longer venue prompt');
    api.linkHeader = false;
    const updated = await comment('HEAD~2');
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, /^Updated the cost comment on merge request !3/m);
    assert.deepEqual(api.take().map(line), [
      `GET ${notes}?per_page=100&sort=asc&order_by=created_at`,
      `GET ${notes}?per_page=100&sort=asc&order_by=created_at&page=2`,
      `PUT ${notes}/${note.id}`,
    ]);
    assert.equal(note.body, await expectedBody(dir, 'HEAD~2', 'this merge request'));

    commit(dir, sample, 'revert');
    const deleted = await comment('HEAD~3');
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^Deleted the cost comment on merge request !3 of project party-group\/party-planner: the change no longer affects cost$/m);
    assert.equal(line(api.take().at(-1)!), `DELETE ${notes}/${note.id}`);
    assert.deepEqual(
      api.ours().map((c) => c.id),
      [9999],
      'the system note stays',
    );
  } finally {
    await api.stop();
  }
});

test('GitLab: a job token alone is refused before any request; a 403 and a rate limit are one line each', async () => {
  const api = await new StandIn('gitlab').start();
  try {
    const dir = repository(sample);
    commit(dir, themeOnGpt4o, 'the theme on gpt-4o');
    const { GITLAB_TOKEN: _, ...withoutToken } = gitlabEnv(api);
    const job = await partycost(dir, ['comment', 'gitlab', '--base', 'HEAD~1'], { ...withoutToken, CI_JOB_TOKEN: 'job-token-canary-0123456789' });
    assert.equal(job.code, 1);
    assert.equal(
      job.stderr,
      'partycost: comment gitlab needs a token in GITLAB_TOKEN: CI_JOB_TOKEN cannot write merge request notes (GitLab lets a job token reach only a few endpoints); add a project access token with the api scope as a masked CI/CD variable\n',
    );
    assert.deepEqual(api.take(), []);

    api.faults = [{ when: (r) => r.method === 'POST', status: 403, body: { message: '403 Forbidden' } }];
    const forbidden = await partycost(dir, ['comment', 'gitlab', '--base', 'HEAD~1'], gitlabEnv(api));
    assert.equal(forbidden.code, 1);
    assert.equal(
      forbidden.stderr,
      'partycost: GitLab forbids this (403 Forbidden on POST /api/v4/projects/party-group%2Fparty-planner/merge_requests/3/notes: 403 Forbidden): the token needs the api scope and at least the Reporter role in the project\n',
    );
    const reset = Math.floor(Date.now() / 1000) + 3600;
    api.faults = [{ when: () => true, status: 429, headers: { 'RateLimit-Reset': String(reset) }, body: { message: 'Retry later' } }];
    const limited = await partycost(dir, ['comment', 'gitlab', '--base', 'HEAD~1', '--project', '42', '--mr', '5'], gitlabEnv(api));
    assert.equal(limited.code, 1);
    assert.match(
      limited.stderr,
      new RegExp(
        `^partycost: GitLab's API rate limit is reached \\(429 Too Many Requests on GET /api/v4/projects/42/merge_requests/5/notes: Retry later\\): it resets at ${new Date(reset * 1000).toISOString().replace('.000Z', 'Z')} \\(in (59|60) min\\); run it again then\\n$`,
      ),
    );
    assert.ok(!`${forbidden.stderr}${limited.stderr}${limited.stdout}`.includes(gitlabToken));
  } finally {
    await api.stop();
  }
});
