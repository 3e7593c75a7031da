import { estimate } from '../cost/estimate';
import type { AgentEstimate, Estimate } from '../cost/estimate';
import type { CliArgs } from './args';
import { displayPath, requireConfig } from './configFile';
import type { Output } from './output';
import { integer, table, usd } from './table';

/** `partycost estimate [--config FILE] [--json]`: cost per agent, per party and per month. */
export function estimateCommand(args: CliArgs, cwd: string, out: Output): void {
  const loaded = requireConfig(args, cwd, out.warn);
  const result = estimate(loaded.config, loaded.prices);
  if (args.json) out.json(result);
  else printEstimate(result, displayPath(loaded.file, cwd), out);
}

const tokenMarks: Record<AgentEstimate['tokenCount'], string> = { counted: '', approximate: '~', declared: '*', none: '' };

function agentRow(a: AgentEstimate): string[] {
  const tokens = (n: number, mark = ''): string => (a.kind === 'compute' ? '–' : `${mark}${integer(n)}`);
  const { llm, vector, compute, cache, sql } = a.breakdown;
  return [a.agent, a.model ?? '(compute)', tokens(a.inputTokens, tokenMarks[a.tokenCount]), tokens(a.outputTokens), ...[llm, vector, compute, cache, sql].map((v) => usd(v)), usd(a.costPerRunUsd)];
}

function printEstimate(result: Estimate, file: string, out: Output): void {
  const header = ['agent', 'model', 'in tok', 'out tok', 'llm', 'vector', 'compute', 'cache', 'sql', 'per run'];
  const numeric = header.map((_, i) => i >= 2);
  const blank = (label: string, value: string): string[] => [label, '', '', '', '', '', '', '', '', value];
  const { partiesPerMonth, rerunFactor } = result.volume;
  const rows = [
    ...result.agents.map(agentRow),
    blank('orchestration', usd(result.orchestrationUsd)),
    blank('per party', usd(result.perPartyUsd)),
  ];
  out.line(`Cost estimate for ${file}`);
  out.line(`Prices: ${result.prices.source}; as of ${result.prices.date}${overrides(result)}`);
  out.line('');
  table(header, rows, numeric).forEach((line) => out.line(line));
  out.line('');
  out.line(`Per month: ${usd(result.perMonthUsd, 2)} (${integer(partiesPerMonth)} parties × ${rerunFactor} run${rerunFactor === 1 ? '' : 's'} per party × ${usd(result.perPartyUsd)})`);
  footnotes(result).forEach((line) => out.line(line));
}

function overrides(result: Estimate): string {
  const names = result.prices.overridden;
  return names.length ? `; workspace prices for ${names.join(', ')}` : '';
}

function footnotes(result: Estimate): string[] {
  const counts = new Set(result.agents.map((a) => a.tokenCount));
  const notes: string[] = [];
  if (counts.has('approximate')) notes.push('~ approximate: the model is outside the OpenAI tokenizer families, counted with o200k');
  if (counts.has('declared')) notes.push('* declared by expectedInputTokens');
  if (counts.has('counted')) notes.push('Input tokens: the prompt template counted with the model\'s tokenizer (chat overhead included) plus upstream results at their expectedOutputTokens.');
  return notes;
}
