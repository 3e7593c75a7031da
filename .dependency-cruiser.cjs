// The import rules of Party Cost Inspector, checked by test/unit/architecture.test.ts in `npm test` (and by hand with
// `npx depcruise sidecar extension webview`). Every import counts, type-only ones included. The README's
// architecture section draws the same layers.
//
//   wiring     sidecar/cli/, sidecar/server/                      (the CLI and the JSON-RPC server)
//   service    sidecar/service/                                   (party commands, the runner)
//   sources    sidecar/sources/                                   (configuration files → the agent graph)
//   engine     sidecar/{cost,budget,planner,cache,store,context,providers,ledger,impact,advice}/   beside one another, no cycles
//   domain     sidecar/config/ (the configuration's model), sidecar/party/ (party state, routing)
//   leaves     sidecar/traces/ (OTLP decoding, span mapping, spend-export import): imports nothing else of the sidecar
//   contracts  sidecar/protocol.ts, sidecar/contract/, webview/protocol.ts: import nothing from either side
//
// The extension and the webviews stand on their own sides of the contracts: the extension reaches the sidecar only
// through sidecar/protocol.ts and sidecar/contract/, the webviews know only webview/protocol.ts.

const contract = '^(sidecar/protocol[.]ts|sidecar/contract/|webview/protocol[.]ts)';
// `vscode` resolves to its type declarations (a type-only import) or to nothing (the host provides it).
const vscode = '^vscode$|node_modules/@types/vscode/';
const layer = {
  domain: '^sidecar/(config|party)/',
  engine: '^sidecar/(cost|budget|planner|cache|store|context|providers|ledger|impact|advice)/',
  sources: '^sidecar/sources/',
  service: '^sidecar/service/',
  wiring: '^sidecar/(cli|server)/',
};
const above = (...names) => `(${names.map((name) => layer[name]).join('|')})`;

/** A layer may import only what lies below it. */
const layerRule = (name, higher) => ({
  name: `${name}-imports-downward-only`,
  comment: `the ${name} layer must not import ${higher.join(', ')}`,
  severity: 'error',
  from: { path: layer[name] },
  to: { path: above(...higher) },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycle between files', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'contracts-import-only-contracts',
      comment: 'a contract is the bottom of both its sides: it imports nothing from the sidecar, the extension or the views',
      severity: 'error',
      from: { path: contract },
      to: { path: '^(sidecar|extension|webview)/', pathNot: contract },
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
      comment: 'the extension knows the sidecar only through sidecar/protocol.ts and sidecar/contract/',
      severity: 'error',
      from: { path: '^extension/' },
      to: { path: '^sidecar/', pathNot: contract },
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
    {
      name: 'domain-imports-nothing-above',
      comment: 'the domain model (configuration, party state, routing) lies below the engine',
      severity: 'error',
      from: { path: layer.domain },
      to: { path: above('engine', 'sources', 'service', 'wiring') },
    },
    {
      name: 'traces-is-a-leaf',
      comment: 'sidecar/traces/ (OTLP decoding, span mapping, spend-export import) imports nothing else of the sidecar: the collector and the importer build on it',
      severity: 'error',
      from: { path: '^sidecar/traces/' },
      to: { path: '^sidecar/', pathNot: '^sidecar/traces/' },
    },
    layerRule('engine', ['sources', 'service', 'wiring']),
    layerRule('sources', ['service', 'wiring']),
    layerRule('service', ['wiring']),
  ],
  options: {
    includeOnly: `^(sidecar|extension|webview)/|${vscode}`,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
