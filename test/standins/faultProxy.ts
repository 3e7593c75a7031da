import { createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { sendJson } from './standin';

/**
 * A proxy in front of a vendor's stand-in that answers some requests itself, as a vendor in trouble does: an error
 * status with the vendor's error body (a key refused, a batch it no longer knows), or a connection dropped before
 * any answer. Every other request goes through to the stand-in unchanged.
 */

/** What the proxy answers instead of the vendor. */
export type Fault = { status: number; body: unknown } | { drop: true };

export interface FaultProxy {
  /** Where the SDK is pointed: the proxy, with the stand-in's base path. */
  baseURL: string;
  /** From now on, requests with this method and a path matching `path` get `fault`. */
  fail(method: string, path: RegExp, fault: Fault): void;
  /** Every request goes through again. */
  clear(): void;
  /** How many requests got a fault. */
  readonly faulted: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const faults: { method: string; path: RegExp; fault: Fault }[] = [];
  const sockets = new Set<Socket>();
  let faulted = 0;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const found = faults.find((f) => f.method === req.method && f.path.test(path));
    if (found) {
      const { fault } = found;
      faulted += 1;
      if ('drop' in fault) return void req.socket.destroy();
      return void req.resume().on('end', () => sendJson(res, fault.status, fault.body));
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`,
    fail: (method, path, fault) => void faults.push({ method, path, fault }),
    clear: () => void faults.splice(0),
    get faulted() {
      return faulted;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}
