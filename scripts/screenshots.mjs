// Copies the screenshots the README and docs/vscode.md show from the last `npm run test:vscode` (.test-results/vscode/) to docs/screenshots/.
// Usage: node scripts/screenshots.mjs
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const shots = ['plan-light', 'estimates-light', 'budgets-light', 'cache-light', 'hover', 'walkthrough'];
const missing = shots.filter((name) => !existsSync(`.test-results/vscode/${name}.png`));
if (missing.length) {
  console.error(`missing from .test-results/vscode/: ${missing.join(', ')} (run npm run test:vscode first)`);
  process.exit(1);
}
mkdirSync('docs/screenshots', { recursive: true });
for (const name of shots) copyFileSync(`.test-results/vscode/${name}.png`, `docs/screenshots/${name}.png`);
console.log(`copied ${shots.length} screenshots to docs/screenshots/`);
