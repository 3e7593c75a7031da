import { keysIn, redact } from '../shared/redact';

/** Where a command writes: stdout for results, stderr for warnings and errors. */
export interface Output {
  line(text: string): void;
  json(value: unknown): void;
  warn(text: string): void;
}

/** What the CLI prints: every line through the redactor, so no API key is ever printed back. */
export const processOutput: Output = {
  line: (text) => process.stdout.write(`${clean(text)}\n`),
  json: (value) => process.stdout.write(`${clean(JSON.stringify(value, null, 2))}\n`),
  warn: (text) => process.stderr.write(`${clean(text)}\n`),
};

function clean(text: string): string {
  return redact(text, keysIn(process.env));
}
