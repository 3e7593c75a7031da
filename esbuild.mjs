// Builds the three bundles (extension, sidecar, webview) and the JSON Schema of partycost.json.
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  define: { PARTYCOST_VERSION: JSON.stringify(version) },
  // jsonc-parser's CommonJS build is UMD with dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

/** Prints build results in the shape of the `$esbuild-watch` problem matcher. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of [...result.errors, ...result.warnings]) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

// Every folder of webview/ with a main.ts is a view.
const views = readdirSync('webview').filter((view) => existsSync(`webview/${view}/main.ts`));

/**
 * What the sidecar needs only sometimes is a file of its own beside its bundle, required on first use: the
 * tokenizer's encodings (3.6 MiB of tables, loaded when a prompt is first counted) and the model vendors' SDKs
 * (loaded when a party first runs on that vendor). Start-up would otherwise read and compile them on every spawn.
 * Each SDK is one file, so its classes exist once; the sidecar's own code stays in sidecar.js.
 */
const besideBundle = {
  'gpt-tokenizer/encoding/o200k_base': 'encodings/o200k_base',
  'gpt-tokenizer/encoding/cl100k_base': 'encodings/cl100k_base',
  openai: 'vendor/openai',
  '@anthropic-ai/sdk': 'vendor/anthropic-sdk',
  '@google/genai': 'vendor/google-genai',
};
const loadedBesideBundle = {
  name: 'loaded-beside-bundle',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${Object.keys(besideBundle).map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`) }, (args) => {
      const file = besideBundle[args.path];
      return file ? { path: `./${file}.js`, external: true } : undefined;
    });
  },
};

const bundles = [
  // The extension host loads CommonJS; `vscode` is provided by the host.
  { ...common, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  // The sidecar (and CLI) runs under plain Node; better-sqlite3 is a native module loaded from node_modules.
  // Minified in every build (names kept, source maps in development): every spawn compiles it, and V8 compiles
  // 1.4 MB faster than 2.5 MB.
  { ...common, minify: true, keepNames: true, entryPoints: ['sidecar/cli/main.ts'], outfile: 'dist/sidecar.js', platform: 'node', format: 'cjs', target: 'node20', external: ['better-sqlite3'], plugins: [loadedBesideBundle] },
  // What the sidecar loads on first use (see above), one file each.
  { ...common, sourcemap: false, entryPoints: Object.entries(besideBundle).map(([module, file]) => ({ in: module, out: file })), outdir: 'dist', platform: 'node', format: 'cjs', target: 'node20' },
  // One bundle per view, loaded only when its panel opens; they run in the browser sandbox of a webview.
  { ...common, entryPoints: views.map((view) => ({ in: `webview/${view}/main.ts`, out: view })), outdir: 'dist/webview', platform: 'browser', format: 'iife', target: 'es2022' },
];

/** What the views load besides their bundles: the shared stylesheet and the codicon font with its stylesheet. */
function copyWebviewAssets() {
  mkdirSync('dist/webview', { recursive: true });
  copyFileSync('webview/shared/views.css', 'dist/webview/views.css');
  for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/webview/${file}`);
}

/** The JSON Schema of partycost.json, and the sample the extension writes (the example, which a test holds equal to the CLI's). */
function writeSchemaAndSample() {
  const schema = execFileSync(process.execPath, ['bin/partycost.js', 'schema'], { encoding: 'utf8' });
  mkdirSync('dist', { recursive: true });
  writeFileSync('dist/partycost.schema.json', schema);
  copyFileSync('examples/party-planner/partycost.json', 'dist/partycost.sample.json');
}

// A view removed or renamed must not leave its old bundle behind to be shipped.
rmSync('dist/webview', { recursive: true, force: true });
rmSync('dist/webview.js', { force: true });
rmSync('dist/webview.js.map', { force: true });
copyWebviewAssets();

if (watch) {
  const contexts = await Promise.all(bundles.map((options) => esbuild.context({ ...options, plugins: [...(options.plugins ?? []), problemMatcher] })));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(bundles.map((options) => esbuild.build(options)));
  writeSchemaAndSample();
}
