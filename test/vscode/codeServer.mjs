// Starts and stops a private code-server (its own process group, port, HOME and data folders), and installs VSIXes
// into its extensions folder.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const HEALTH_TIMEOUT_MS = 60_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Creates the private folders under runDir and returns the environment code-server runs with; with `workspaceTrust`
 * VS Code's workspace trust is on (a folder opened is untrusted, in restricted mode, and no prompt asks).
 */
function privateEnvironment(runDir, { workspaceTrust = false } = {}) {
  const dirs = Object.fromEntries(['home', 'tmp', 'config', 'data', 'cache', 'user-data', 'extensions'].map((d) => [d, path.join(runDir, d)]));
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  // Settings that keep the workbench quiet and comparable between runs: no welcome page, tips or trust prompts.
  mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
  writeFileSync(
    path.join(dirs['user-data'], 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': workspaceTrust,
        'security.workspace.trust.startupPrompt': 'never',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
      },
      null,
      2,
    ),
  );
  // Variables of an outer VS Code (terminal IPC hooks and the like) would confuse the one started here.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VSCODE_')));
  const env = {
    ...inherited,
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    // No marketplace is reachable; an empty gallery keeps code-server from trying.
    EXTENSIONS_GALLERY: '{}',
  };
  return { dirs, env };
}

async function waitForHealth(url, child) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode) throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before it was up`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

/**
 * Starts code-server for `workspace` and waits until it answers. Returns { url, logFile, pid, exited, stop }.
 * Everything it spawns stays in one process group, which stop() ends.
 */
export async function startCodeServer({ entry, runDir, workspace, workspaceTrust = false }) {
  const port = await freePort();
  const { dirs, env } = privateEnvironment(runDir, { workspaceTrust });
  const configFile = path.join(runDir, 'code-server.yaml');
  writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const logFile = path.join(runDir, 'code-server.log');
  const log = openSync(logFile, 'a');
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--config',
    configFile,
    '--user-data-dir',
    dirs['user-data'],
    '--extensions-dir',
    dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    workspace,
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], env, cwd: runDir });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const stop = () => stopProcessGroup(child.pid);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, logFile, pid: child.pid, exited, stop };
}

/**
 * Installs a VSIX with `code-server --install-extension` into runDir's extensions folder, the one startCodeServer
 * with the same runDir loads; returns that folder and what code-server printed.
 */
export function installExtension({ entry, runDir, vsix }) {
  const { dirs, env } = privateEnvironment(runDir);
  const args = [entry, '--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs['user-data']];
  const output = execFileSync(process.execPath, args, { env, cwd: runDir, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { extensionsDir: dirs.extensions, output: output.trim() };
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends a process group: SIGTERM, then SIGKILL for whatever is left after a few seconds. */
export async function stopProcessGroup(pgid, graceMs = 5_000) {
  if (!groupAlive(pgid)) return;
  process.kill(-pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (!groupAlive(pgid)) return;
  process.kill(-pgid, 'SIGKILL');
  // Killed processes linger as zombies until reaped; bounded, since reaping orphans is init's business.
  const reapDeadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < reapDeadline) await sleep(50);
}

/** For exit handlers, where nothing can be awaited. */
export function killProcessGroupNow(pgid) {
  if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
}
