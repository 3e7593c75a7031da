import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../sidecar/contract/errors';
import { locateConfig, maxConfigBytes, readConfigFile, readIfFile } from '../../sidecar/shared/configLocation';
import { loadConfig, problemLines } from '../../sidecar/sources/load';

// Configuration files are read with a limit: never more than the limit and one byte held, whatever the file says of
// its size; devices and FIFOs are refused before they are opened.

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'partycost-config-files-'));
}

const refused = (message: string) => (error: unknown) => error instanceof UserError && error.message === message;

test('a file of exactly the limit is read; one byte more is refused, named as the caller names it', () => {
  const dir = scratch();
  const file = path.join(dir, 'uv.lock');
  writeFileSync(file, 'a');
  truncateSync(file, maxConfigBytes);
  assert.equal(readConfigFile(file)?.length, maxConfigBytes);
  truncateSync(file, maxConfigBytes + 1);
  assert.throws(() => readConfigFile(file, 'uv.lock'), refused('uv.lock is 10.1 MB: a configuration file is at most 10 MB'));
  assert.equal(readIfFile(file), undefined, 'finding the configuration never fails on it');
});

test('what is not there, or is a folder, reads as nothing; a device or a FIFO is refused at once', () => {
  const dir = scratch();
  assert.equal(readConfigFile(path.join(dir, 'missing.json')), undefined);
  assert.equal(readConfigFile(dir), undefined);
  assert.throws(() => readConfigFile('/dev/zero'), refused('/dev/zero is a character device: a configuration file must be a regular file'));
  const fifo = path.join(dir, 'pipe.json');
  execFileSync('mkfifo', [fifo]);
  // Opening it would wait for a writer that never comes: the test would hang, not fail.
  assert.throws(() => readConfigFile(fifo, 'pipe.json'), refused('pipe.json is a FIFO (named pipe): a configuration file must be a regular file'));
  assert.equal(readIfFile(fifo), undefined);
});

test('a file whose size says 0 (/proc) is read to its end', () => {
  const text = readConfigFile('/proc/self/status');
  assert.match(text ?? '', /^Name:/);
  assert.match(text ?? '', /\nPid:\s+\d+\n/, 'past the first read');
});

test('a crew knowledge file past the limit is left unpriced with a warning; the crew still loads', () => {
  const dir = scratch();
  cpSync(path.resolve('test/fixtures/crewai/policy_helpdesk'), dir, { recursive: true });
  const crew = path.join(dir, 'src/policy_helpdesk/crew.py');
  writeFileSync(
    crew,
    readFileSync(crew, 'utf8')
      .replace('from crewai.project', 'from crewai.knowledge.source.text_file_knowledge_source import TextFileKnowledgeSource\nfrom crewai.project')
      .replace('knowledge_sources=[store_policies]', 'knowledge_sources=[TextFileKnowledgeSource(file_paths=["policies.txt"])]'),
  );
  mkdirSync(path.join(dir, 'knowledge'));
  const policies = path.join(dir, 'knowledge', 'policies.txt');
  writeFileSync(policies, 'Returns: within 30 days of delivery.\n');
  const load = () => loadConfig(locateConfig(dir), { env: {}, display: (file) => path.relative(dir, file) });
  assert.ok(load().config?.agents.answer_task?.prompt?.includes('Returns: within 30 days of delivery.'), 'a small one is priced');
  truncateSync(policies, maxConfigBytes + 1);
  const loaded = load();
  assert.ok(loaded.config, problemLines(loaded).join('\n'));
  assert.ok(!loaded.config.agents.answer_task?.prompt?.includes('Returns: within 30 days'));
  assert.ok(
    problemLines(loaded).some((line) => /the knowledge source TextFileKnowledgeSource\(.*\) cannot be read statically/.test(line)),
    problemLines(loaded).join('\n'),
  );
});
