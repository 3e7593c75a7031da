/** Left-aligns text columns and right-aligns numeric ones, two spaces apart. */
export function table(header: string[], rows: string[][], numeric: boolean[]): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)];
}

/** `$0.000255`: per-run amounts need six decimals; zero shows as a dash so the non-zero parts stand out. */
export function usd(amount: number, decimals = 6): string {
  return amount === 0 ? '–' : `$${amount.toFixed(decimals)}`;
}

/** An amount in a sentence: `$0` for nothing, else six decimals. */
export function dollars(amount: number): string {
  return amount === 0 ? '$0' : `$${amount.toFixed(6)}`;
}

export function integer(value: number): string {
  return value.toLocaleString('en-US');
}
