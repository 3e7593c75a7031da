// The bundles esbuild.mjs builds, as options: shared with the bench (bench/extensionBench.ts), which builds the
// production ones into a temporary folder to measure them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The options of every bundle, written under `outDir` (default dist) from `root` (default the working folder).
 * The four entries: extension, sidecar, what the sidecar loads beside it, the views.
 */
export function bundleOptions({ production = false, outDir = 'dist', root = process.cwd() } = {}) {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = (file) => path.join(outDir, file);
  const common = {
    absWorkingDir: root,
    bundle: true,
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'warning',
    define: { PARTYCOST_VERSION: JSON.stringify(version) },
    // jsonc-parser's CommonJS build is UMD with dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
    mainFields: ['module', 'main'],
  };

  // Every folder of webview/ with a main.ts is a view.
  const views = readdirSync(path.join(root, 'webview')).filter((view) => existsSync(path.join(root, 'webview', view, 'main.ts')));

  /**
   * What the sidecar needs only sometimes is a file of its own beside its bundle, required on first use: the
   * tokenizer's encodings (3.6 MiB of tables, loaded when a prompt is first counted), the model vendors' SDKs
   * (loaded when a party first runs on that vendor) and the price catalogue (at the first price). Start-up would otherwise read and compile them on every spawn.
   * Each SDK is one file, so its classes exist once; the sidecar's own code stays in sidecar.js.
   */
  const besideBundle = {
    'gpt-tokenizer/encoding/o200k_base': 'encodings/o200k_base',
    'gpt-tokenizer/encoding/cl100k_base': 'encodings/cl100k_base',
    openai: 'vendor/openai',
    '@anthropic-ai/sdk': 'vendor/anthropic-sdk',
    '@google/genai': 'vendor/google-genai',
    // The price catalogue's library and data: a third of the sidecar, needed at the first price, not at start.
    '@pydantic/genai-prices': 'vendor/genai-prices',
    // The YAML parser: only a CrewAI project (or an ADK Agent Config) needs it.
    yaml: 'vendor/yaml',
    // The TypeScript compiler's parser: only an @openai/agents project written in TypeScript needs it.
    typescript: 'vendor/typescript',
  };
  const loadedBesideBundle = {
    name: 'loaded-beside-bundle',
    setup(build) {
      build.onResolve(
        {
          filter: new RegExp(
            `^(${Object.keys(besideBundle)
              .map((name) => name.replace(/[/.]/g, '\\$&'))
              .join('|')})$`,
          ),
        },
        (args) => {
          const file = besideBundle[args.path];
          return file ? { path: `./${file}.js`, external: true } : undefined;
        },
      );
    },
  };

  const bundles = [
    // The extension host loads CommonJS; `vscode` is provided by the host.
    {
      ...common,
      entryPoints: ['extension/extension.ts'],
      outfile: out('extension.js'),
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
    },
    // The sidecar (and CLI) runs under plain Node; better-sqlite3 is a native module loaded from node_modules.
    // Minified in every build (names kept, source maps in development): every spawn compiles it, and V8 compiles
    // 1.4 MB faster than 2.5 MB.
    {
      ...common,
      minify: true,
      keepNames: true,
      entryPoints: ['sidecar/cli/main.ts'],
      outfile: out('sidecar.js'),
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['better-sqlite3'],
      plugins: [loadedBesideBundle],
    },
    // What the sidecar loads on first use (see above), one file each.
    {
      ...common,
      sourcemap: false,
      entryPoints: Object.entries(besideBundle).map(([module, file]) => ({ in: module, out: file })),
      outdir: outDir,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
    },
    // One bundle per view, loaded only when its panel opens; they run in the browser sandbox of a webview.
    {
      ...common,
      entryPoints: views.map((view) => ({ in: `webview/${view}/main.ts`, out: view })),
      outdir: out('webview'),
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    },
  ];
  return { bundles, views };
}
