// Makes a real VS Code (code-server) and Debian's Chromium available for the in-editor tests. Idempotent: a second
// run only checks what is there. Usage: node test/vscode/install.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// 4.100.3 (VS Code 1.100.3) is the last code-server whose engines accept Node 20.
export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM = '/usr/bin/chromium';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const installDir = path.join(repoRoot, '.vscode-test', 'code-server');
const installedMarker = path.join(installDir, `.installed-${CODE_SERVER_VERSION}`);
export const codeServerEntry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

// @vscode/ripgrep (a code-server dependency) downloads rg from GitHub unless this file is already in its cache.
const RIPGREP_CACHE = { dir: 'vscode-ripgrep-cache-1.15.11', file: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' };

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const dpkgInstalled = (pkg) => spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;

function codeServerInstalled() {
  return existsSync(installedMarker) && existsSync(codeServerEntry);
}

/** Debian packages needed now: Chromium always; the build tools and ripgrep only to install code-server. */
function missingDebianPackages(needCodeServer) {
  const wanted = [{ pkg: 'chromium', present: () => existsSync(CHROMIUM) }];
  if (needCodeServer) {
    wanted.push(
      { pkg: 'ripgrep', present: () => has('rg') },
      { pkg: 'pkg-config', present: () => has('pkg-config') },
      // code-server's kerberos module is compiled against the Kerberos headers.
      { pkg: 'libkrb5-dev', present: () => dpkgInstalled('libkrb5-dev') },
    );
  }
  return wanted.filter((w) => !w.present()).map((w) => w.pkg);
}

function installDebianPackages(packages, log) {
  const canApt = process.getuid?.() === 0 && has('apt-get');
  if (!canApt) {
    throw new Error(`The VS Code tests need Debian packages: ${packages.join(' ')}. Install them, e.g. sudo apt-get install -y ${packages.join(' ')}`);
  }
  log(`Installing ${packages.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', '-o', 'Dpkg::Use-Pty=0', ...packages], { stdio: 'inherit', env });
}

/** Puts Debian's rg, as the tarball @vscode/ripgrep expects, into the cache of the given TMPDIR. */
function seedRipgrepCache(tmpDir) {
  const cacheDir = path.join(tmpDir, RIPGREP_CACHE.dir);
  mkdirSync(cacheDir, { recursive: true });
  const rg = execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
  execFileSync('tar', ['-czf', path.join(cacheDir, RIPGREP_CACHE.file), '-C', path.dirname(rg), path.basename(rg)]);
}

function installCodeServer(log) {
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${path.relative(repoRoot, installDir)}/ (about a minute)…`);
  rmSync(installDir, { recursive: true, force: true });
  const tmpDir = path.join(installDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  // A package.json of its own keeps npm from treating the repository as the project to install into.
  writeFileSync(path.join(installDir, 'package.json'), '{ "private": true }\n');
  seedRipgrepCache(tmpDir);
  // Under `npm run`, npm_* variables describe the repository's own project (local_prefix and the like); they
  // must not steer this separate install.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  execFileSync('npm', ['install', '--prefix', installDir, '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
    stdio: 'inherit',
    env: {
      ...env,
      TMPDIR: tmpDir,
      // As root, npm would otherwise run code-server's postinstall as nobody, which cannot write here.
      npm_config_unsafe_perm: 'true',
      // The postinstall runs npx-style installs of its own that would stop to ask.
      npm_config_yes: 'true',
    },
  });
  rmSync(tmpDir, { recursive: true, force: true });
  const { version } = JSON.parse(readFileSync(path.join(installDir, 'node_modules', 'code-server', 'package.json'), 'utf8'));
  if (version !== CODE_SERVER_VERSION) throw new Error(`installed code-server ${version}, wanted ${CODE_SERVER_VERSION}`);
  writeFileSync(installedMarker, `${new Date().toISOString()}\n`);
}

/** Returns the paths of the code-server entry point and Chromium, installing what is missing. */
export function install({ log = (line) => console.log(`[install] ${line}`) } = {}) {
  const started = Date.now();
  const needCodeServer = !codeServerInstalled();
  const packages = missingDebianPackages(needCodeServer);
  if (packages.length) installDebianPackages(packages, log);
  if (needCodeServer) installCodeServer(log);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log(packages.length || needCodeServer ? `done in ${seconds} s` : `code-server ${CODE_SERVER_VERSION} and Chromium already installed (${seconds} s)`);
  return { codeServerEntry, chromium: CHROMIUM };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) install();
