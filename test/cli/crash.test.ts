import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../sidecar/store/database';
import { PartyStore } from '../../sidecar/store/partyStore';
import { emptyParty, replay } from '../../sidecar/party/state';
import { canonicalJson } from '../../sidecar/hashing/hash';

const bin = path.resolve('bin/partycost.js');

function partycost(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  assert.equal(run.status, 0, `partycost ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/**
 * Starts `partycost run`, and SIGKILLs it once it has reported `after` committed agents plus a few milliseconds
 * (or lets it finish). Returns the agents it reported as committed before it died.
 */
function runAndKill(cwd: string, party: string, after: number, extraMs: number): Promise<{ committed: string[]; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', party, '--concurrency', '2'], {
      cwd,
      env: { ...process.env, PARTYCOST_OFFLINE_LATENCY_MS: '15' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const committed: string[] = [];
    let killed = false;
    let buffered = '';
    const kill = (): void => {
      killed = child.kill('SIGKILL');
    };
    if (after === 0) setTimeout(kill, extraMs);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const match = /✔ (\S+) (executed|result deleted)/.exec(line);
        if (!match) continue;
        committed.push(match[1]);
        if (committed.length === after) setTimeout(kill, extraMs);
      }
    });
    child.on('exit', (_code, signal) => resolve({ committed, killed: killed && signal === 'SIGKILL' }));
  });
}

function checkStore(dbFile: string, party: string, committed: string[]): void {
  const db = openDatabase(dbFile);
  try {
    const store = new PartyStore(db);
    const state = store.load(party);
    const events = store.events(party);
    // Every agent reported as committed is in the log (completed or deleted) and the projection agrees.
    for (const agent of committed) {
      const logged = events.some(
        (e) => (e.event.type === 'agent_completed' && e.event.result.agent === agent) || (e.event.type === 'agent_result_deleted' && e.event.agent === agent),
      );
      assert.ok(logged, `committed agent ${agent} is in the event log`);
    }
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      'sequence numbers have no gaps',
    );
    // No half-written snapshot: each one is exactly the replay of the events it covers.
    for (const snapshot of store.snapshots(party)) {
      const { state: saved } = store.snapshotState(party, snapshot.version)!;
      const replayed = replay(
        emptyParty(party),
        events.filter((e) => e.seq <= snapshot.seq).map((e) => e.event),
      );
      assert.equal(canonicalJson(saved), canonicalJson(replayed), `snapshot ${snapshot.version}`);
    }
    assert.equal(canonicalJson(store.replayLatest(party).state), canonicalJson(state), 'replay equals the current state');
  } finally {
    db.close();
  }
}

test('SIGKILL in the middle of runs, many times: the database opens, nothing committed is lost, resume finishes', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-crash-'));
  partycost(dir, 'init');
  const dbFile = path.join(dir, '.partycost', 'partycost.db');
  partycost(dir, 'party', 'create', '--input', 'jungle theme', '--input', '75 guests', '--input', 'chocolate cake');
  const edits = [
    ['add', 'Need balloon artist'],
    ['add', 'pirate theme'],
    ['add', 'vegan snacks'],
    ['add', '120 people'],
    ['add', 'vanilla cupcakes'],
  ];
  let killedRuns = 0;
  let seed = 11;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let round = 0; round < 15; round++) {
    // Each round edits the party so that the run has work, then kills it at a different point.
    const [verb, text] = edits[round % edits.length];
    const added = JSON.parse(partycost(dir, 'input', verb, 'P1', text, '--json')) as { id: string };
    if (round % 2 === 1) partycost(dir, 'input', 'remove', 'P1', added.id);
    const { committed, killed } = await runAndKill(dir, 'P1', random(4), random(20));
    if (killed) killedRuns++;
    checkStore(dbFile, 'P1', committed);
    partycost(dir, 'resume', 'P1');
    if (round % 3 === 2) partycost(dir, 'run', 'P1');
  }
  assert.ok(killedRuns >= 10, `${killedRuns} of 15 runs were killed mid-way`);

  // Resume, then run: the plan finishes, and leaves what a from-scratch run of the same inputs leaves.
  partycost(dir, 'resume', 'P1');
  partycost(dir, 'run', 'P1');
  const plan = JSON.parse(partycost(dir, 'plan', 'P1', '--json')) as { agents: { action: string }[] };
  assert.ok(
    plan.agents.every((a) => a.action === 'reuse' || a.action === 'skip'),
    JSON.stringify(plan.agents),
  );
  const db = openDatabase(dbFile);
  const store = new PartyStore(db);
  const texts = store.load('P1').inputs.map((i) => i.text);
  db.close();
  const fresh = JSON.parse(partycost(dir, 'party', 'create', ...texts.flatMap((t) => ['--input', t]), '--json')) as { party: string };
  partycost(dir, 'run', fresh.party);
  const check = openDatabase(dbFile);
  const hashes = (id: string): Record<string, string> =>
    Object.fromEntries(Object.values(new PartyStore(check).load(id).results).map((r) => [r.agent, r.resultHash]));
  assert.deepEqual(hashes('P1'), hashes(fresh.party));
  check.close();
});
