// The system programs the test suites need. On a Debian machine where we are root, missing ones are installed with
// apt-get (as .ci/run does); elsewhere the run stops with what to install. Nothing is skipped for want of them.
import { execFileSync, spawnSync } from 'node:child_process';

const needed = [
  { command: 'redis-server', check: 'command -v redis-server', debianPackage: 'redis-server', why: 'the Redis cache tier tests' },
  // Debian keeps PostgreSQL's server programs off PATH, in /usr/lib/postgresql/<version>/bin (test/postgresServer.ts).
  { command: 'initdb', check: 'ls /usr/lib/postgresql/*/bin/initdb', debianPackage: 'postgresql', why: 'the team ledger tests' },
];

const missing = needed.filter(({ check }) => spawnSync('sh', ['-c', `${check} >/dev/null 2>&1`]).status !== 0);
if (missing.length) {
  const packages = missing.map((m) => m.debianPackage);
  const canApt = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (!canApt) {
    console.error(`The tests need: ${missing.map((m) => `${m.command} (${m.why})`).join(', ')}.`);
    console.error(`Install them, e.g. on Debian or Ubuntu: sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing ${packages.join(', ')} with apt-get for the tests…`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
