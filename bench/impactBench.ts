import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { engine } from '../test/engine';
import { loadConfigText } from '../sidecar/sources/load';
import { openDatabase } from '../sidecar/store/database';
import type { Db } from '../sidecar/store/database';
import { PartyStore } from '../sidecar/store/partyStore';
import { estimate } from '../sidecar/estimate/estimate';
import { planParty } from '../sidecar/planner/plan';
import { storedResults } from '../sidecar/store/storedResults';
import { partyImpacts } from '../sidecar/impact/impact';
import { impactReport } from '../sidecar/impact/impactReport';
import { figure, report, verdict } from './measure';

const parties = 10_000;
const templates = 20;

/** Twenty real parties of the sample (offline runs), each copied in SQL until there are 10,000, events included. */
async function filledDatabase(dir: string, sample: string): Promise<Db> {
  const db = openDatabase(path.join(dir, 'impact.db'));
  const service = engine(sample, db);
  const themes = ['jungle', 'pirate', 'space', 'garden', 'disco'];
  for (let i = 0; i < templates; i++) {
    // Every agent takes part: a theme, guests, a cake and a vendor.
    const inputs = [
      `${themes[i % themes.length]} theme`,
      `${30 + 10 * i} guests`,
      `${i % 2 ? 'chocolate' : 'lemon'} cake`,
      i % 3 ? 'need a DJ' : 'need a magician',
    ];
    await service.run(service.create(undefined, inputs).party.id);
  }
  const copy = db.transaction(() => {
    db.exec(
      `CREATE TEMP TABLE copies AS WITH RECURSIVE n(i) AS (SELECT ${templates + 1} UNION ALL SELECT i + 1 FROM n WHERE i < ${parties}) SELECT 'P' || i AS id, 'P' || (1 + (i - 1) % ${templates}) AS template FROM n`,
    );
    for (const table of ['parties', 'events', 'snapshots', 'inputs', 'input_routes', 'results']) {
      const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      const idColumn = table === 'parties' ? 'id' : 'party_id';
      const values = columns.map((c) => (c === idColumn ? 'c.id' : `t.${c}`)).join(', ');
      db.exec(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values} FROM copies c JOIN ${table} t ON t.${idColumn} = c.template`);
    }
  });
  copy();
  // As a workspace database is between commands: the copies' write-ahead log folded into the file.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return db;
}

/**
 * The impact group: a prompt edit's impact on 10,000 stored parties of the seven-agent sample (70,000 results),
 * against planning each party one by one (loading its state and planning it, as `partycost plan` does), in one run.
 */
export async function impactBench(): Promise<void> {
  const sample = readFileSync('examples/party-planner/partycost.json', 'utf8');
  const edited = loadConfigText(sample.replace('Suggest a party theme', 'Suggest a bold party theme'), 'partycost.json');
  if (!edited.config) throw new Error('the edited sample does not load');
  const config = edited.config;
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-impact-bench-'));
  try {
    const db = await filledDatabase(dir, sample);
    const count = (db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n;
    const impactOnce = () => impactReport(config, edited.prices, partyImpacts(config, storedResults(db)), { against: 'results' });
    impactOnce(); // warm-up: statements prepared, code compiled
    const runs: number[] = [];
    let result = impactOnce();
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      result = impactOnce();
      runs.push(performance.now() - started);
    }
    const impact = runs.sort((a, b) => a - b)[2];
    const store = new PartyStore(db);
    const ids = (db.prepare('SELECT id FROM parties').all() as { id: string }[]).map((row) => row.id);
    const started = performance.now();
    let executions = 0;
    for (const id of ids)
      executions += planParty({ config, prices: edited.prices, state: store.load(id), estimate: estimate(config, edited.prices) }).agents.filter(
        (a) => a.action === 'execute',
      ).length;
    const baseline = performance.now() - started;
    if (executions !== result.totals.executions) throw new Error(`impact counts ${result.totals.executions} executions, planning each party ${executions}`);
    console.log(
      `\nImpact: a prompt edit of the sample on ${ids.length.toLocaleString('en-US')} stored parties (${count.toLocaleString('en-US')} results); both count ${executions.toLocaleString('en-US')} executions`,
    );
    figure('impact over 10,000 parties × 7 agents', impact, 'ms', '< 1000');
    figure('planning each party one by one (baseline)', baseline, 'ms');
    const ratio = figure('planning each party / impact', baseline / impact, '×');
    report([
      ['impact over 10,000 parties', `${impact.toFixed(0)} ms (${verdict('< 1000', impact)})`],
      ['planning each party one by one', `${baseline.toFixed(0)} ms`],
      ['ratio', `${ratio.toFixed(1)}× faster`],
    ]);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
