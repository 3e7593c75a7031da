// Builds the three bundles (extension, sidecar, webview) and the JSON Schema of partycost.json.
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { bundleOptions } from './esbuild.options.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const { bundles } = bundleOptions({ production });

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
