import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Measures a Node process's peak resident memory as the kernel counted it: `node` are the options that preload a
 * script writing `process.resourceUsage().maxRSS` at exit; `peakMb()` reads it once the process has ended.
 */
export function peakRecorder(): { node: string[]; peakMb(): number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'partycost-peak-'));
  const script = path.join(dir, 'peak.cjs');
  const peak = path.join(dir, 'peak.txt');
  writeFileSync(script, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(peak)}, String(process.resourceUsage().maxRSS)));\n`);
  return { node: ['--require', script], peakMb: () => Number(readFileSync(peak, 'utf8')) / 1024 };
}
