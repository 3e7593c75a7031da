import type { Db } from './database';
import { Statements } from './statements';

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

/** A stored party with its inputs (in order) and its current results: what impact plans from. */
export interface StoredParty {
  id: string;
  /** Its place among the parties, in the order they were created. */
  order: number;
  hasRun: boolean;
  inputs: string[];
  /** Per agent, the input texts routed to it when they were added (the routing of the configuration of the time). */
  routes: Map<string, Set<string>>;
  results: Map<string, StoredRow>;
}

/** The stored parties, visited one at a time, and the text of each stored definition by agent and hash. */
export interface StoredResults {
  /** Every party, each once, in no particular order (`order` says where it stands). */
  forEach(visit: (party: StoredParty) => void): void;
  definitionText(agent: string, hash: string): string;
  /** The agents some party has a result of. */
  agents: Set<string>;
}

const unit = '\u001f';

/**
 * Every party's current state for impact, from the projection tables and never the event log: each party's inputs
 * and their routes (one row per party, as JSON), and its current results from the index that holds what impact reads
 * (`results_impact`, migration 10; the rows themselves carry the outputs), in the index's order. A party is built
 * when its last result has been read, visited, and dropped, so nothing of ten thousand parties outlives its visit.
 * A result's values come joined with the unit separator, which none of them holds (JSON escapes it; names and
 * hashes have none): reading one value costs more than splitting one.
 */
export function storedResults(db: Db): StoredResults {
  const definitions = new Map<string, string>();
  const agents = new Set<string>();
  const distinct = db.prepare(
    'SELECT agent, definition_hash, definition FROM results WHERE rowid IN (SELECT min(rowid) FROM results GROUP BY agent, definition_hash)',
  );
  for (const row of distinct.raw(true).iterate() as IterableIterator<[string, string | null, string]>) {
    definitions.set(`${row[0]}${unit}${row[1] ?? ''}`, row[2]);
    agents.add(row[0]);
  }
  return {
    agents,
    definitionText: (agent, hash) => definitions.get(`${agent}${unit}${hash}`)!,
    forEach(visit) {
      const parties = new Map<string, { order: number; hasRun: boolean; inputs: string; routes: string }>();
      const rows = db.prepare(
        `SELECT p.id, p.has_run,
           (SELECT json_group_array(text) FROM (SELECT text FROM inputs i WHERE i.party_id = p.id ORDER BY position)),
           (SELECT json_group_array(json_array(r.agent, i.text)) FROM input_routes r JOIN inputs i ON i.party_id = r.party_id AND i.id = r.input_id WHERE r.party_id = p.id)
         FROM parties p ORDER BY p.rowid`,
      );
      let order = 0;
      for (const [id, hasRun, inputs, routes] of rows.raw(true).iterate() as IterableIterator<[string, number, string, string]>) {
        parties.set(id, { order: order++, hasRun: hasRun === 1, inputs, routes });
      }
      const build = (id: string): StoredParty | undefined => {
        const row = parties.get(id);
        if (!row) return undefined;
        parties.delete(id);
        const routes = new Map<string, Set<string>>();
        for (const [agent, text] of JSON.parse(row.routes) as [string, string][]) {
          const texts = routes.get(agent);
          if (texts) texts.add(text);
          else routes.set(agent, new Set([text]));
        }
        return { id, order: row.order, hasRun: row.hasRun, inputs: JSON.parse(row.inputs) as string[], routes, results: new Map() };
      };
      const results = db
        .prepare(
          `SELECT party_id || char(31) || agent || char(31) || key || char(31) || result_hash || char(31) || coalesce(definition_hash, '') || char(31) || inputs || char(31) || upstream FROM results ORDER BY party_id, agent`,
        )
        .pluck();
      let current: StoredParty | undefined;
      let currentId: string | undefined;
      for (const line of results.iterate() as IterableIterator<string>) {
        const [id, agent, key, resultHash, definitionHash, inputs, upstream] = line.split(unit) as [string, string, string, string, string, string, string];
        if (id !== currentId) {
          if (current) visit(current);
          currentId = id;
          current = build(id);
        }
        current?.results.set(agent, { agent, key, resultHash, definitionHash, inputs, upstream });
      }
      if (current) visit(current);
      // Parties without results.
      for (const id of [...parties.keys()]) visit(build(id)!);
    },
  };
}

/** The results table as the analyses read it: every party's current results for impact, an agent's stored inputs. */
export class ResultsTable {
  private readonly sql: Statements;

  constructor(private readonly db: Db) {
    this.sql = new Statements(db);
  }

  /** Every stored party and its current results (see storedResults). */
  parties(): StoredResults {
    return storedResults(this.db);
  }

  /** The inputs each party's current result of an agent was produced from (normalised), at most `limit` parties. */
  inputsOf(agent: string, limit = 5_000): string[][] {
    const rows = this.sql.get('SELECT inputs FROM results WHERE agent = ? LIMIT ?').all(agent, limit) as { inputs: string }[];
    return rows.map((r) => JSON.parse(r.inputs) as string[]);
  }
}
