import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { bin, readDatabase, workspace } from '../cliProcess';
import { startOpenAIStandin } from '../standins/openai';

// A run holder frozen (SIGSTOP) past its lease's life: another process takes the party over and finishes the run;
// when the first resumes (SIGCONT) it writes no event and pays for nothing more, and what it had been billed for while
// frozen is still in the ledger.

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

test('a run holder frozen past its lease and resumed writes no event and pays for nothing more; every call billed is in the ledger', async (t) => {
  const openai = await startOpenAIStandin();
  t.after(() => openai.close());
  const dir = await workspace('fence', ['jungle theme', '75 guests', 'budget 500']);
  const config = path.join(dir, 'partycost.json');
  writeFileSync(config, readFileSync(config, 'utf8').replace('"provider": "offline"', '"provider": "openai"'));
  const env = { ...process.env, OPENAI_API_KEY: 'sk-proj-CANARYfence0123456789abcdef', OPENAI_BASE_URL: openai.baseURL };

  const first = spawn(process.execPath, [bin, 'run', 'P1', '--concurrency', '1'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const firstDone = exited(first);
  // Frozen right after its first call went out: the answer waits in its socket.
  for (const deadline = Date.now() + 10_000; openai.requests.length === 0; await delay(5)) assert.ok(Date.now() < deadline, 'the first call');
  first.kill('SIGSTOP');
  t.after(() => first.kill('SIGCONT'));

  // The second run waits while the lease lives, then takes the party over (the holder's heartbeat stopped) and finishes.
  const second = spawn(process.execPath, [bin, 'run', 'P1'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const secondDone = await exited(second);
  assert.equal(secondDone.code, 0, secondDone.stderr);
  const billedBefore = openai.requests.length;

  first.kill('SIGCONT');
  const firstResult = await firstDone;
  assert.equal(firstResult.code, 1);
  assert.match(firstResult.stderr, /party P1 was taken over by another process while this one was stopped: this one writes nothing more/);
  assert.equal(openai.requests.length, billedBefore, 'the resumed holder sent nothing more');

  const { completed, paid } = readDatabase(dir, (db) => ({
    completed: db.prepare("SELECT payload FROM events WHERE party_id = 'P1' AND type = 'agent_completed'").all() as { payload: string }[],
    paid: (db.prepare("SELECT count(*) AS n FROM ledger WHERE party_id = 'P1' AND cached = 0 AND provider = 'openai'").get() as { n: number }).n,
  }));
  const agents = completed.map((row) => (JSON.parse(row.payload) as { result: { agent: string } }).result.agent);
  assert.equal(new Set(agents).size, agents.length, `each agent completed once: ${agents.join(', ')}`);
  assert.equal(paid, openai.requests.length, "every call the vendor answered is in the ledger, the frozen holder's too");
});
