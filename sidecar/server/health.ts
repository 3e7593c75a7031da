import { readdirSync } from 'node:fs';
import type { HealthResult } from '../protocol';

/** The process's memory, resources and listeners now: what a soak watches for growth. */
export function health(): HealthResult {
  const memory = process.memoryUsage();
  const resources: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
  const emitters = [process, process.stdin, process.stdout, process.stderr];
  const listeners = emitters.reduce((sum, emitter) => sum + emitter.eventNames().reduce((n, name) => n + emitter.listenerCount(name), 0), 0);
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    resources,
    listeners,
    fds: openFileDescriptors(),
  };
}

function openFileDescriptors(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}
