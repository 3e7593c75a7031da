import type { Readable } from 'node:stream';
import { AbstractMessageReader, Disposable } from 'vscode-jsonrpc/node';
import type { DataCallback, Message } from 'vscode-jsonrpc/node';

/** What the reader reports besides messages: a skipped stretch of bytes, a frame whose body is not JSON, a stream lost. */
export interface FrameReaderEvents {
  log(line: string): void;
  /** A frame arrived whole but its body is not JSON: JSON-RPC answers it with a -32700 parse error. */
  parseError(detail: string): void;
  /** The stream cannot be read any further (too much that is not a frame): the process should end. */
  lost(reason: string): void;
}

export interface FrameReaderLimits {
  /** A frame larger than this is not believed (its header is skipped). */
  maxFrameBytes: number;
  /** This much that is not a frame, in a row, and the stream is given up. */
  maxGarbageBytes: number;
}

const headerStart = Buffer.from('Content-Length:', 'ascii');
const headerEnd = Buffer.from('\r\n\r\n', 'ascii');
/** A header block longer than this is not a header. */
const maxHeaderBytes = 8 * 1024;

/**
 * Reads LSP-style frames (`Content-Length: N\r\n\r\n` then N bytes of JSON) and recovers from what is not one: bytes
 * outside a frame, or a header it cannot believe (`Content-Length: abc`), are skipped up to the next header, with a
 * log line; a body that is not JSON gets a parse error and the next frame is read. vscode-jsonrpc's own reader stops
 * at the first bad header, leaving the sidecar deaf.
 */
export class FrameReader extends AbstractMessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Chunks come after `buffer`, joined only once there are `awaited` bytes: one copy per frame, not one per chunk. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The bytes the frame being read needs in all (header and body), once its header is believed; else 0. */
  private awaited = 0;
  private skipped = 0;
  private garbageInRow = 0;
  private callback: DataCallback | undefined;

  constructor(
    private readonly readable: Readable,
    private readonly events: FrameReaderEvents,
    private readonly limits: FrameReaderLimits = { maxFrameBytes: 64 * 1024 * 1024, maxGarbageBytes: 256 * 1024 * 1024 },
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer): void => this.onData(chunk);
    const onError = (error: Error): void => this.fireError(error);
    const onClose = (): void => this.fireClose();
    this.readable.on('data', onData);
    this.readable.on('error', onError);
    this.readable.on('close', onClose);
    this.readable.on('end', onClose);
    return Disposable.create(() => {
      this.readable.off('data', onData);
      this.readable.off('error', onError);
      this.readable.off('close', onClose);
      this.readable.off('end', onClose);
    });
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.buffer.length + this.pendingBytes < this.awaited) return;
    const bytes = this.buffer.length + this.pendingBytes;
    this.buffer = this.buffer.length || this.pending.length > 1 ? Buffer.concat([this.buffer, ...this.pending], bytes) : chunk;
    this.pending = [];
    this.pendingBytes = 0;
    this.awaited = 0;
    while (this.next()) {
      // one frame (or one skipped stretch) at a time
    }
  }

  /** Takes one frame, or skips one stretch that is not one; false when more bytes are needed. */
  private next(): boolean {
    const start = this.buffer.indexOf(headerStart);
    if (start < 0) {
      // Keep a tail that may be the beginning of a header cut across two chunks.
      const keep = Math.min(this.buffer.length, headerStart.length - 1);
      this.skip(this.buffer.length - keep, 'bytes that are not a frame');
      return false;
    }
    if (start > 0) {
      this.skip(start, 'bytes that are not a frame');
      return true;
    }
    // Only where a header can end: a search of the whole buffer would read a large body again for every header.
    const end = this.buffer.subarray(0, maxHeaderBytes + headerEnd.length).indexOf(headerEnd);
    if (end < 0) {
      if (this.buffer.length <= maxHeaderBytes) return false;
      this.skip(headerStart.length, 'a header that never ends');
      return true;
    }
    const length = contentLength(this.buffer.subarray(0, end).toString('ascii'));
    if (length === undefined || length > this.limits.maxFrameBytes) {
      const header = this.buffer.subarray(0, Math.min(end, 80)).toString('ascii').replace(/\r\n/g, ' | ');
      this.skip(end + headerEnd.length, `a frame with an invalid header (${header})`);
      return true;
    }
    const bodyStart = end + headerEnd.length;
    if (this.buffer.length < bodyStart + length) {
      this.awaited = bodyStart + length;
      return false;
    }
    const body = this.buffer.subarray(bodyStart, bodyStart + length).toString('utf8');
    this.buffer = this.buffer.subarray(bodyStart + length);
    this.reportSkipped();
    this.garbageInRow = 0;
    let message: Message;
    try {
      message = JSON.parse(body) as Message;
    } catch (error) {
      this.events.parseError((error as Error).message);
      return true;
    }
    this.callback?.(message);
    return true;
  }

  /** Drops `bytes` from the front; says so once the reading is back on a frame. */
  private skip(bytes: number, what: string): void {
    if (bytes <= 0) return;
    if (!this.skipped) this.events.log(`skipping ${what}`);
    this.buffer = this.buffer.subarray(bytes);
    this.skipped += bytes;
    this.garbageInRow += bytes;
    if (this.garbageInRow > this.limits.maxGarbageBytes) {
      this.events.lost(`${this.garbageInRow} bytes in a row were not a frame: the stream cannot be resynchronised`);
      this.garbageInRow = 0;
    }
  }

  private reportSkipped(): void {
    if (!this.skipped) return;
    this.events.log(`skipped ${this.skipped} bytes that were not a valid frame; reading again from the next header`);
    this.skipped = 0;
  }
}

/** The Content-Length of a header block, when it is one whole non-negative number. */
function contentLength(header: string): number | undefined {
  for (const line of header.split('\r\n')) {
    const match = /^Content-Length:\s*(.*?)\s*$/i.exec(line);
    if (match) return /^\d{1,12}$/.test(match[1] ?? '') ? Number(match[1]) : undefined;
  }
  return undefined;
}
