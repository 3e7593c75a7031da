import * as vscode from 'vscode';

/** The extension's settings (package.json `contributes.configuration`), read fresh each time. */
export function settings() {
  const config = vscode.workspace.getConfiguration('partycost');
  return {
    nodePath: config.get<string>('nodePath') || undefined,
    configPath: config.get<string>('configPath') || 'partycost.json',
    dbPath: config.get<string>('dbPath') || undefined,
    redisUrl: config.get<string>('redisUrl') || undefined,
    requestTimeoutMs: config.get<number>('requestTimeoutMs') ?? 60_000,
    collector: { enabled: config.get<boolean>('collector.enabled') ?? false, port: config.get<number>('collector.port') ?? 4318 },
  };
}
