import { applyEdits, modify } from 'jsonc-parser';
import type { ConfigEdit } from '../contract/advice';

/**
 * The text edits that apply an advice to `partycost.json`, comments and layout kept (jsonc-parser's `modify`): the
 * extension turns them into a WorkspaceEdit, the CLI writes the file.
 */
export function adviceTextEdits(text: string, edit: ConfigEdit): { offset: number; length: number; content: string }[] {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return modify(text, edit.path, edit.value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol } });
}

/** The configuration text with the advice applied. */
export function applyAdvice(text: string, edit: ConfigEdit): string {
  return applyEdits(text, adviceTextEdits(text, edit));
}
