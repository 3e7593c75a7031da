// Bundles the in-editor mocha suite (test/vscode/suite) into one CommonJS file the extension host can load.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const TEST_FILES_MODULE = 'vscode-suite:test-files';

/** Generates the module index.ts imports: a lazy loader per test file, so each runs only once mocha is ready. */
function testFilesPlugin(testDir, files) {
  const contents = `export default [\n${files
    .map((f) => `  { file: ${JSON.stringify(f)}, load: () => require(${JSON.stringify(`./${f}`)}) },`)
    .join('\n')}\n];\n`;
  return {
    name: 'vscode-suite-test-files',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${TEST_FILES_MODULE}$`) }, () => ({ path: TEST_FILES_MODULE, namespace: 'vscode-suite' }));
      build.onLoad({ filter: /.*/, namespace: 'vscode-suite' }, () => ({ contents, loader: 'js', resolveDir: testDir }));
    },
  };
}

/**
 * Writes outDir/suite.js (the bundle), outDir/index.js (the extensionTestsPath, which loads it) and
 * outDir/suite-config.json (read by the suite at run time). Returns the entry's path and the test files bundled.
 * The test files are testDir's *testSuffix files: by default suiteDir's *.test.ts (the benches: bench/*.bench.ts).
 */
export async function buildSuite({ suiteDir, testDir = suiteDir, testSuffix = '.test.ts', outDir, config }) {
  mkdirSync(outDir, { recursive: true });
  const testFiles = readdirSync(testDir)
    .filter((f) => f.endsWith(testSuffix))
    .sort();
  if (!testFiles.length) throw new Error(`no *${testSuffix} files in ${testDir}`);
  const outfile = path.join(outDir, 'suite.js');
  await esbuild.build({
    entryPoints: [path.join(suiteDir, 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
    // Only mocha's parallel mode, which the suite never uses, resolves its worker files at run time.
    logOverride: { 'require-resolve-not-external': 'silent' },
    plugins: [testFilesPlugin(testDir, testFiles)],
  });
  // Node reads a file's source map only when it loads the file, so stack traces name the .ts sources only if
  // source maps are on before the bundle loads: hence this small entry in front of it.
  const entry = path.join(outDir, 'index.js');
  writeFileSync(entry, "process.setSourceMapsEnabled(true);\nmodule.exports = require('./suite.js');\n");
  writeFileSync(path.join(outDir, 'suite-config.json'), JSON.stringify(config, null, 2));
  return { bundle: entry, testFiles };
}
