import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigText } from '../sidecar/sources/load';
import { sampleConfig } from '../sidecar/config/sample';
import { OfflineProvider } from '../sidecar/providers/offline';
import type { Provider } from '../sidecar/providers/provider';
import { Providers } from '../sidecar/providers/registry';
import { PartyService } from '../sidecar/service/partyService';
import { openDatabase } from '../sidecar/store/database';
import type { Db } from '../sidecar/store/database';
import { PartyStore } from '../sidecar/store/partyStore';
import type { ResultCache } from '../sidecar/cache/resultCache';

/** A fresh database file in a temporary folder. */
export function tempDatabase(): { file: string; db: Db } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'partycost-test-')), 'partycost.db');
  return { file, db: openDatabase(file) };
}

/** The engine on a configuration text (the sample by default), a real SQLite file and the offline provider. */
export function engine(configText = sampleConfig, db = tempDatabase().db, provider: Provider = new OfflineProvider(), cache?: ResultCache): PartyService {
  const loaded = loadConfigText(configText, 'partycost.json');
  if (!loaded.config) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return new PartyService(loaded.config, loaded.prices, new PartyStore(db), new Providers(loaded.config, process.env, { [provider.name]: provider }), cache);
}
