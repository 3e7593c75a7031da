// The import rules of Party Cost Inspector, checked by test/unit/architecture.test.ts in `npm test` (and by hand with
// `npx depcruise sidecar extension webview`). Every import counts, type-only ones included. docs/architecture.md says
// what each layer is for; this file is the rule.
//
// Inside the sidecar, folders stand in one order, layer by layer; a folder imports only folders before it (and its own
// files):
//
//   contract     contract/, protocol.ts          shapes and messages: import nothing of ours, no Node, no parser
//   shared       shared/                         what the extension runs too: where the configuration is, where an agent
//                                                stands in its text, redaction
//   foundation   cost/, hashing/, providers/,    money, tokens, prices, hashing; the vendors' APIs and what each can do;
//                traces/                         OpenTelemetry spans and exported spend, decoded and mapped
//   model        config/, party/, budget/, context/, planner/, sources/
//                                                the configuration, party state, limits, prompts, the delta plan, and
//                                                reading what users have (partycost.json, CrewAI)
//   persistence  store/, cache/                  every SQL statement (store/), the result cache's tiers
//   analyses     estimate/, learning/, impact/, advice/
//   services     service/                        the workspace (the one composition root) and the use cases
//   wiring       server/, cli/                   parse, call one use case, answer: services, the contract and shared/ only
//
// The extension and the webviews stand on their own sides of the contracts: the extension reaches the sidecar only
// through sidecar/protocol.ts, sidecar/contract/ and sidecar/shared/, the webviews know only webview/protocol.ts.

const layers = [
  ['contract', ['contract', 'protocol.ts']],
  ['shared', ['shared']],
  ['foundation', ['cost', 'hashing', 'providers', 'traces']],
  ['model', ['config', 'party', 'budget', 'context', 'planner', 'sources']],
  ['persistence', ['store', 'cache']],
  ['analyses', ['estimate', 'learning', 'impact', 'advice']],
  ['services', ['service']],
  ['wiring', ['server', 'cli']],
];

/** The sidecar's folders (and its top-level protocol.ts) in order. */
const folders = layers.flatMap(([layer, names]) => names.map((name) => ({ layer, name })));

/** A regular expression for a folder of the sidecar (or protocol.ts), its files included. */
const at = (name) => (name.endsWith('.ts') ? `^sidecar/${name.replace('.', '[.]')}$` : `^sidecar/${name}/`);
const any = (names) => `(${names.map(at).join('|')})`;

/** Each folder imports only the folders before it in the order. */
const downwardRules = folders.flatMap(({ layer, name }, i) => {
  const later = folders.slice(i + 1).map((f) => f.name);
  if (!later.length) return [];
  return [
    {
      name: `${name.replace('.ts', '')}-imports-downward-only`,
      comment: `sidecar/${name} (${layer}) imports only what stands before it: not ${later.join(', ')}`,
      severity: 'error',
      from: { path: at(name) },
      to: { path: any(later) },
    },
  ];
});

const contract = '^(sidecar/protocol[.]ts|sidecar/contract/|webview/protocol[.]ts)';
// `vscode` resolves to its type declarations (a type-only import) or to nothing (the host provides it).
const vscode = '^vscode$|node_modules/@types/vscode/';

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycle between files', severity: 'error', from: {}, to: { circular: true } },
    ...downwardRules,
    {
      name: 'contracts-import-only-contracts',
      comment: 'a contract is the bottom of both its sides: it imports nothing from the sidecar, the extension or the views',
      severity: 'error',
      from: { path: contract },
      to: { path: '^(sidecar|extension|webview)/', pathNot: contract },
    },
    {
      name: 'contracts-do-no-io',
      comment: "a contract declares shapes and messages: no Node module, no package but the message layer's (vscode-jsonrpc, zod)",
      severity: 'error',
      from: { path: contract },
      to: { path: '^(?!sidecar/|extension/|webview/)', pathNot: '(^|node_modules/)(vscode-jsonrpc|zod)(/|$)' },
    },
    {
      name: 'wiring-calls-services',
      comment: 'the CLI and the server parse, call a use case and answer: they import the services, the contract and shared/ only',
      severity: 'error',
      from: { path: '^sidecar/(cli|server)/' },
      to: { path: '^sidecar/', pathNot: `${contract}|^sidecar/(service|shared|cli|server)/` },
    },
    {
      name: 'only-the-store-speaks-sql',
      comment: 'every SQL statement is in sidecar/store/: nothing else opens or queries a database (SQLite, or a team ledger on PostgreSQL)',
      severity: 'error',
      from: { path: '^(sidecar|extension|webview)/', pathNot: '^sidecar/store/' },
      to: { path: 'node_modules/(better-sqlite3|pg)/' },
    },
    {
      name: 'leaf-libraries-import-nothing-of-ours',
      comment: 'the Python reader every Python source shares (sources/python/) and the trace decoder (traces/) import nothing else of the sidecar',
      severity: 'error',
      from: { path: '^sidecar/(sources/python|traces)/' },
      to: { path: '^(sidecar|extension|webview)/', pathNot: '^sidecar/$1/' },
    },
    {
      name: 'sidecar-knows-no-host-or-view',
      comment: 'the sidecar is a plain Node process: no extension, no webview, no vscode',
      severity: 'error',
      from: { path: '^sidecar/' },
      to: { path: `^(extension|webview)/|${vscode}` },
    },
    {
      name: 'extension-reaches-sidecar-through-contract',
      comment: 'the extension knows the sidecar only through sidecar/protocol.ts, sidecar/contract/ and sidecar/shared/',
      severity: 'error',
      from: { path: '^extension/' },
      to: { path: '^sidecar/', pathNot: `${contract}|^sidecar/shared/` },
    },
    {
      name: 'extension-reaches-views-through-contract',
      comment: 'the extension knows its views only through webview/protocol.ts',
      severity: 'error',
      from: { path: '^extension/' },
      to: { path: '^webview/', pathNot: contract },
    },
    {
      name: 'views-know-only-their-protocol',
      comment: 'a webview imports webview/protocol.ts and its own code, nothing of the extension or the sidecar',
      severity: 'error',
      from: { path: '^webview/', pathNot: contract },
      to: { path: `^(sidecar|extension)/|${vscode}` },
    },
  ],
  options: {
    exclude: { path: '^(test|bench|dist|scripts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
// The order itself, for the architecture test (which plants a violation of each rule); not part of the configuration.
Object.defineProperty(module.exports, 'layers', { value: layers, enumerable: false });
