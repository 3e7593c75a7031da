import type * as vscode from 'vscode';

const keyName = 'partycost.openaiApiKey';

/** The OpenAI key kept in VS Code's secret storage: passed to the sidecar's environment, never to settings or logs. */
export function openAIKey(secrets: vscode.SecretStorage): Thenable<string | undefined> {
  return secrets.get(keyName);
}

export function storeOpenAIKey(secrets: vscode.SecretStorage, key: string): Thenable<void> {
  return key ? secrets.store(keyName, key) : secrets.delete(keyName);
}
