import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadConfigText } from '../sidecar/sources/load';
import { storedResults } from '../sidecar/impact/storedResults';
import { partyImpacts } from '../sidecar/impact/impact';
import { openDatabase } from '../sidecar/store/database';
const sample = readFileSync('examples/party-planner/partycost.json', 'utf8');
const edited = loadConfigText(sample.replace('Suggest a party theme', 'Suggest a bold party theme'), 'p.json');
const db = openDatabase(process.argv[2]);
for (let i = 0; i < 4; i++) {
  let t = performance.now(); const parties = storedResults(db); const read = performance.now() - t;
  t = performance.now(); partyImpacts(edited.config!, parties); const plan = performance.now() - t;
  console.log({ read: Math.round(read), plan: Math.round(plan) });
}
