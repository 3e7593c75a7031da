import type { Db } from '../store/database';

/** One party's current result of one agent, as the results table keeps it (JSON fields still as text). */
export interface StoredRow {
  agent: string;
  key: string;
  resultHash: string;
  definition: string;
  inputs: string;
  upstream: string;
  completedAt: string;
}

/** Every stored party with its inputs (in order) and its current results: what impact plans from. */
export interface StoredParty {
  id: string;
  hasRun: boolean;
  inputs: string[];
  /** Per agent, the input texts routed to it when they were added (the routing of the configuration of the time). */
  routes: Map<string, Set<string>>;
  results: Map<string, StoredRow>;
}

/**
 * Every party's current state for impact, read in four scans of the projection tables (parties, inputs, results:
 * each party's current result keys, by its primary key), never the event log.
 */
export function storedParties(db: Db): StoredParty[] {
  const parties = new Map<string, StoredParty>();
  for (const row of db.prepare('SELECT id, has_run AS hasRun FROM parties ORDER BY rowid').iterate() as IterableIterator<{ id: string; hasRun: number }>) {
    parties.set(row.id, { id: row.id, hasRun: row.hasRun === 1, inputs: [], routes: new Map(), results: new Map() });
  }
  const inputs = db.prepare('SELECT party_id AS party, text FROM inputs ORDER BY party_id, position').raw(true);
  for (const [party, text] of inputs.iterate() as IterableIterator<[string, string]>) parties.get(party)?.inputs.push(text);
  const routes = db.prepare('SELECT r.party_id, r.agent, i.text FROM input_routes r JOIN inputs i ON i.party_id = r.party_id AND i.id = r.input_id').raw(true);
  for (const [party, agent, text] of routes.iterate() as IterableIterator<[string, string, string]>) {
    const routed = parties.get(party)?.routes;
    if (!routed) continue;
    const texts = routed.get(agent);
    if (texts) texts.add(text);
    else routed.set(agent, new Set([text]));
  }
  const results = db
    .prepare('SELECT party_id, agent, key, result_hash, definition, inputs, upstream, completed_at FROM results')
    .raw(true);
  for (const [party, agent, key, resultHash, definition, inputsText, upstream, completedAt] of results.iterate() as IterableIterator<string[]>) {
    parties.get(party)?.results.set(agent, { agent, key, resultHash, definition, inputs: inputsText, upstream, completedAt });
  }
  return [...parties.values()];
}
