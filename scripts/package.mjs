// Packages the extension as dist/<name>-<version>-linux-x64.vsix with @vscode/vsce and checks what the VSIX holds.
// Usage: npm run package
// The VSIX is platform-specific (linux-x64): it ships better-sqlite3's native module built for each supported Node's
// ABI (package.json engines: 20, 22, 24; scripts/nodes.mjs builds them), and the sidecar, under a plain Node (never
// inside Electron), loads the one for the Node it runs on.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createVSIX } from '@vscode/vsce';
import { ensureNodes } from './nodes.mjs';

const TARGET = 'linux-x64';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// What the installed extension cannot run without: the bundles, the sidecar's launcher and its native SQLite.
const REQUIRED = [
  'package.json',
  'bin/partycost.js',
  'bin/compileCache.js',
  'dist/extension.js',
  'dist/sidecar.js',
  // Loaded beside the sidecar bundle on first use (esbuild.mjs): the tokenizer's encodings, the vendors' SDKs, the prices.
  'dist/encodings/o200k_base.js',
  'dist/encodings/cl100k_base.js',
  'dist/vendor/openai.js',
  'dist/vendor/anthropic-sdk.js',
  'dist/vendor/google-genai.js',
  'dist/vendor/genai-prices.js',
  'dist/vendor/yaml.js',
  'dist/partycost.schema.json',
  'dist/partycost.sample.json',
  'media/partycost.svg',
  'node_modules/better-sqlite3/lib/index.js',
  'node_modules/bindings/bindings.js',
  'node_modules/file-uri-to-path/index.js',
];
// Sources, tests, source maps, native build leftovers (better-sqlite3's own build/Release among them: one of the
// per-ABI builds is the same file) and modules the bundles already contain.
const UNWANTED =
  /\.(ts|map|mjs|c|cc|cpp|h|gyp|mk|a|o)$|^(extension|sidecar|webview|test|bench|examples|scripts)\/|^node_modules\/(?!(better-sqlite3|bindings|file-uri-to-path)\/)|^node_modules\/better-sqlite3\/build\/Release\//;

function vsixPath() {
  const { name, version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  return path.join(repoRoot, 'dist', `${name}-${version}-${TARGET}.vsix`);
}

/** The names in a zip file, from its central directory (a VSIX has no archive comment, so the end record is last). */
function zipEntries(file) {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const names = [];
  for (let i = 0, at = zip.readUInt32LE(end + 16); i < zip.readUInt16LE(end + 10); i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

/** The extension's files in the VSIX (without the `extension/` folder they sit in); throws on a missing or stray one. */
function checkContents(vsix, bindings) {
  const files = zipEntries(vsix)
    .filter((f) => f.startsWith('extension/'))
    .map((f) => f.slice('extension/'.length));
  const missing = [...REQUIRED, ...bindings].filter((f) => !files.includes(f));
  const unwanted = files.filter((f) => UNWANTED.test(f));
  if (missing.length || unwanted.length) {
    throw new Error(`${path.basename(vsix)}: ${[...missing.map((f) => `missing ${f}`), ...unwanted.map((f) => `should not ship ${f}`)].join('; ')}`);
  }
  return files;
}

function formatSize(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Builds the production bundles (vsce runs vscode:prepublish), writes and checks the VSIX; returns it and its files. */
export async function packageExtension({ log = console.log } = {}) {
  const vsix = vsixPath();
  rmSync(vsix, { force: true });
  // better-sqlite3 built for every supported Node's ABI, beside its own build (reused from .nodes/ when present).
  const bindings = ensureNodes(undefined, { log }).map(({ binding }) => path.relative(repoRoot, binding));
  try {
    // The repository's README is for developers (with screenshots vsce cannot link without a repository URL);
    // the extension's details page gets its own.
    await createVSIX({ cwd: repoRoot, target: TARGET, packagePath: vsix, allowMissingRepository: true, readmePath: 'docs/extension-readme.md' });
  } finally {
    // The production bundles carry no source maps; dist/ goes back to what `npm run build` makes, which debugging
    // and the development-path VS Code tests expect.
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  }
  const files = checkContents(vsix, bindings);
  log(`${path.relative(repoRoot, vsix)}: ${files.length} files, ${formatSize(statSync(vsix).size)}`);
  return { vsix, files };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { files } = await packageExtension();
  for (const file of files) console.log(`  ${file}`);
}
