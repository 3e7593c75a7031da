// A module that run.mjs generates while bundling: one loader for each *.test.ts file in this folder.
declare module 'vscode-suite:test-files' {
  const testFiles: { file: string; load: () => unknown }[];
  export default testFiles;
}
