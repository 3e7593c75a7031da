// npm run bench: every figure is measured side by side in this one run.
import os from 'node:os';
import { cacheBench } from './cacheBench';
import { configBench } from './configBench';
import { contextBench } from './contextBench';
import { extensionBench } from './extensionBench';
import { partyBench } from './partyBench';
import { reliabilityBench } from './reliabilityBench';
import { tokenizerBench } from './tokenizerBench';
import { catalogueReady } from '../sidecar/cost/catalogue';

(async () => {
  console.log(`Party Cost Inspector bench: Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  await catalogueReady();
  configBench();
  tokenizerBench();
  contextBench();
  await partyBench();
  await cacheBench();
  await extensionBench();
  await reliabilityBench();
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
