import type { Db } from '../store/database';

/** One party's current result of one agent, as the results table keeps it (JSON fields still as text). */
export interface StoredRow {
  agent: string;
  key: string;
  resultHash: string;
  /** The SHA-256 of the stored definition's text (results of one configuration share it). */
  definitionHash: string;
  inputs: string;
  upstream: string;
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

/** The stored parties, and the text of a definition (by a party and agent that has it: one read per distinct one). */
export interface StoredResults {
  parties: StoredParty[];
  definitionText(party: string, agent: string): string;
}

/**
 * Every party's current state for impact, read in four scans of the projection tables (parties, inputs, results:
 * each party's current result keys, by its primary key), never the event log.
 */
export function storedResults(db: Db): StoredResults {
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
  // In the index's order, so SQLite reads the index (migration 10) and none of the rows with their outputs; one
  // value per row (joined with the unit separator, which none of them holds: JSON escapes it), as reading a value
  // costs more than splitting one.
  const results = db
    .prepare(`SELECT party_id || char(31) || agent || char(31) || key || char(31) || result_hash || char(31) || coalesce(definition_hash, '') || char(31) || inputs || char(31) || upstream FROM results ORDER BY party_id, agent`)
    .pluck();
  for (const line of results.iterate() as IterableIterator<string>) {
    const [party, agent, key, resultHash, definitionHash, inputsText, upstream] = line.split('\u001f');
    parties.get(party)?.results.set(agent, { agent, key, resultHash, definitionHash, inputs: inputsText, upstream });
  }
  const definition = db.prepare('SELECT definition FROM results WHERE party_id = ? AND agent = ?').pluck();
  return { parties: [...parties.values()], definitionText: (party, agent) => definition.get(party, agent) as string };
}
