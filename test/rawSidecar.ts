import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

/** One answer of the sidecar, as it came over the wire. */
export interface Answer {
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * The real sidecar spoken to frame by frame, as a careless client would: anything can be written to its stdin, and
 * every answer and log line is kept.
 */
export class RawSidecar {
  readonly process: ChildProcessWithoutNullStreams;
  readonly answers: Answer[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  stderr = '';
  private pending = Buffer.alloc(0);
  private nextId = 1;
  exited: Promise<number | null>;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.process = spawn(process.execPath, [path.resolve('bin/partycost.js'), 'serve', '--stdio'], { env });
    this.process.stdout.on('data', (chunk: Buffer) => this.read(chunk));
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
  }

  private read(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.pending.subarray(0, end).toString('ascii'))?.[1]);
      if (this.pending.length < end + 4 + length) return;
      const message = JSON.parse(this.pending.subarray(end + 4, end + 4 + length).toString('utf8')) as Answer & { method?: string; params?: unknown };
      this.pending = this.pending.subarray(end + 4 + length);
      if (message.method) this.notifications.push({ method: message.method, params: message.params });
      else this.answers.push(message);
    }
  }

  /** Writes bytes as they are. */
  write(bytes: Buffer | string): void {
    this.process.stdin.write(bytes);
  }

  /** Writes a well-formed frame of any JSON value. */
  frame(value: unknown): void {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    this.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  /** Sends a request and waits for its answer (polling the answers kept, never sleeping for a fixed time). */
  async request(method: string, params: unknown, timeoutMs = 15_000): Promise<Answer> {
    const id = this.nextId++;
    this.frame({ jsonrpc: '2.0', id, method, params });
    return this.answerTo(id, timeoutMs);
  }

  async answerTo(id: number | string | null, timeoutMs = 15_000): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.answers.find((a) => a.id === id);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no answer to ${id} within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`);
      if (this.process.exitCode !== null) throw new Error(`the sidecar exited (${this.process.exitCode}); stderr: ${this.stderr.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      this.process.stdin.end();
      this.process.kill();
    }
    await this.exited;
  }
}
