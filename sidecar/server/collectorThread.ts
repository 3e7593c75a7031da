import { constants, platform, setPriority } from 'node:os';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { startCollector } from '../service/collector';
import type { RunningCollector } from '../service/collector';
import { Workspace } from '../service/workspace';

/**
 * The sidecar's trace receiver on a thread of its own, with its own connection to the workspace's database: decoding,
 * attributing, pricing and committing batches never hold up a hover on the sidecar's thread (SQLite's WAL lets the
 * sidecar read while the receiver writes). The thread runs this bundle's `collectorThread` and speaks by messages.
 */

/** What the thread is given: the workspace as the sidecar sees it, and where to listen. */
export interface CollectorThreadOptions {
  root: string;
  config?: string;
  detect?: boolean;
  db?: string;
  port: number;
  host: string;
}

/** What the sidecar tells the thread. */
type ToThread = { type: 'prices' } | { type: 'close' };

/** What the thread tells the sidecar. */
type FromThread =
  | { type: 'listening'; url: string }
  | { type: 'failed'; code?: string; message: string }
  | { type: 'batch'; recorded: number }
  | { type: 'refused'; status: number; reason: string }
  | { type: 'closed' };

export interface CollectorThread {
  url: string;
  /** New prices are in force in the workspace: the thread loads them too. */
  pricesChanged(): void;
  close(): Promise<void>;
}

/**
 * Starts the receiver's thread; resolves once it listens, or rejects with the listening error (its `code` kept:
 * EADDRINUSE, EACCES). `bundle` is the file that exports `collectorThread` (this sidecar's own bundle).
 */
export function startCollectorThread(
  bundle: string,
  options: CollectorThreadOptions,
  on: { batch: (recorded: number) => void; refused: (status: number, reason: string) => void; log: (line: string) => void },
): Promise<CollectorThread> {
  const worker = new Worker(`require(${JSON.stringify(bundle)}).collectorThread()`, { eval: true, workerData: options });
  return new Promise((resolve, reject) => {
    let closed: (() => void) | undefined;
    let listening = false;
    worker.on('message', (message: FromThread) => {
      if (message.type === 'listening') {
        listening = true;
        resolve({
          url: message.url,
          pricesChanged: () => worker.postMessage({ type: 'prices' } satisfies ToThread),
          close: () =>
            new Promise<void>((done) => {
              closed = done;
              worker.postMessage({ type: 'close' } satisfies ToThread);
            }),
        });
      } else if (message.type === 'failed') {
        reject(Object.assign(new Error(message.message), message.code ? { code: message.code } : {}));
        void worker.terminate();
      } else if (message.type === 'batch') on.batch(message.recorded);
      else if (message.type === 'refused') on.refused(message.status, message.reason);
      else if (message.type === 'closed') void worker.terminate();
    });
    worker.on('error', (error) => {
      on.log(`trace receiver thread failed: ${error.stack ?? error.message}`);
      if (!listening) reject(error);
    });
    worker.on('exit', () => closed?.());
  });
}

/** The thread's side: a workspace of its own, the stored prices in force, the receiver listening. */
export async function collectorThread(): Promise<void> {
  const port = parentPort!;
  const options = workerData as CollectorThreadOptions;
  const send = (message: FromThread): void => port.postMessage(message);
  // Background work: on Linux a thread has a niceness of its own (pid 0 names the calling thread), so when the CPUs are
  // contended the sidecar's thread (hovers, CodeLens) runs first. Elsewhere pid 0 is the whole process: left alone.
  if (platform() === 'linux') {
    try {
      setPriority(0, constants.priority.PRIORITY_LOW);
    } catch {
      // Not allowed here: the receiver runs at the sidecar's priority.
    }
  }
  const ws = new Workspace({ root: options.root, config: options.config, detect: options.detect, db: options.db });
  let collector: RunningCollector;
  try {
    await ws.loadPrices();
    collector = await startCollector(ws, {
      port: options.port,
      host: options.host,
      onBatch: (report) => send({ type: 'batch', recorded: report.recorded }),
      onRefused: (status, reason) => send({ type: 'refused', status, reason }),
    });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    send({ type: 'failed', message, ...(code ? { code } : {}) });
    await ws.close();
    return;
  }
  port.on('message', async (message: ToThread) => {
    if (message.type === 'prices') {
      await ws.loadPrices();
      ws.pricesChanged();
    } else if (message.type === 'close') {
      await collector.close();
      await ws.close();
      send({ type: 'closed' });
    }
  });
  send({ type: 'listening', url: collector.url });
}
