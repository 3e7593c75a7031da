import type { AgentConfig } from '../config/schema';
import type { Advice, ConfigEdit } from '../contract/advice';
import type { AgentEstimate } from '../contract/cost';
import { roundUsd } from '../cost/money';
import type { Ledger } from '../store/ledger';
import type { ResultsTable } from '../store/storedResults';
import type { AppliedAdviceTable } from '../store/appliedAdvice';

/** What the advisor reads of the workspace's records, when it has a database: the ledger, stored results, advice applied. */
export interface AdviceRecords {
  ledger: Pick<Ledger, 'volume' | 'expiredRuns' | 'cachingRuns' | 'costAround'>;
  results: Pick<ResultsTable, 'inputsOf'>;
  applied: Pick<AppliedAdviceTable, 'list'>;
}

// What every kind of advice starts from, and how its texts put figures.

/** An advice before it is ranked. */
export type Proposal = Omit<Advice, 'rank'>;

/** An llm agent as the advisor weighs it: its configuration, model, estimate at list prices and runs a month. */
export interface AgentFacts {
  name: string;
  agent: AgentConfig;
  model: string;
  estimate: AgentEstimate;
  runsPerMonth: number;
  /** What the ledger files its executions under as it is now configured. */
  promptHash: string;
}

/** To one decimal. */
export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A saving per run at `runs` runs a month, in USD as the reports round it. */
export function perMonth(perRun: number, runs: number): number {
  return roundUsd(perRun * runs);
}

/** The configuration edit that applies an advice, where the configuration is edited by the tool. */
export function editOf(editable: boolean | undefined, path: (string | number)[], value: unknown): { edit?: ConfigEdit } {
  return editable ? { edit: { path, value } } : {};
}

export function percent(rate: number): string {
  return `${Math.round(rate * 100)} %`;
}

export function tokens(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')} tokens`;
}

/** `1,259-token`, before a noun. */
export function tokenSized(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')}-token`;
}

export function lifetimeText(minutes: number): string {
  return minutes >= 60 ? `${minutes / 60}-hour` : `${minutes}-minute`;
}
