/**
 * The built-in function of compute agents: the party budget, the sum of the "Cost: $N" lines of its upstream
 * results. No model, no tokens.
 */
export function partyBudget(upstream: Record<string, string | null>): string {
  const lines: string[] = [];
  let total = 0;
  for (const [agent, output] of Object.entries(upstream).sort(([a], [b]) => a.localeCompare(b))) {
    if (output === null) continue;
    const match = /Cost:\s*\$([\d,]+(?:\.\d+)?)/i.exec(output);
    const amount = match ? Number((match[1] ?? '').replace(/,/g, '')) : 0;
    total += amount;
    lines.push(`${agent}: ${match ? `$${amount.toLocaleString('en-US')}` : 'no cost given'}`);
  }
  return ['Party budget', ...lines, `Total: $${total.toLocaleString('en-US')}`].join('\n');
}
