import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { FrameReader } from '../sidecar/server/frameReader';
import { figure, report, verdict } from './measure';

const chunkBytes = 64 * 1024;

/** One frame of about 50 MB: a request whose text is 50 MB of ASCII, as a pasted file or a trace dump could be. */
function bigFrame(): { frame: Buffer; body: Buffer } {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'config/validate', params: { text: 'x'.repeat(50_000_000) } }));
  return { frame: Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]), body };
}

/** Milliseconds from the first chunk to the message, through the sidecar's frame reader fed as stdin feeds it. */
function readerMs(frame: Buffer): number {
  const stream = new PassThrough();
  let arrived = false;
  const reader = new FrameReader(stream, { log: () => {}, parseError: () => {}, lost: () => {} });
  const listening = reader.listen(() => (arrived = true));
  const started = performance.now();
  for (let at = 0; at < frame.length; at += chunkBytes) stream.write(frame.subarray(at, at + chunkBytes));
  const ms = performance.now() - started;
  listening.dispose();
  if (!arrived) throw new Error('the 50 MB frame never arrived');
  return ms;
}

/** The floor: the body's chunks joined once and parsed, with no framing at all. */
function floorMs(body: Buffer): number {
  const started = performance.now();
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkBytes) chunks.push(body.subarray(at, at + chunkBytes));
  JSON.parse(Buffer.concat(chunks).toString('utf8'));
  return performance.now() - started;
}

/** A 50 MB JSON-RPC frame in 64 KiB chunks through the frame reader (median of 5), against the floor. */
export function largeFrameBench(): void {
  const { frame, body } = bigFrame();
  const median = (times: number[]): number => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const reader = median(Array.from({ length: 5 }, () => readerMs(frame)));
  const floor = median(Array.from({ length: 5 }, () => floorMs(body)));
  figure('a 50 MB JSON-RPC frame in 64 KiB chunks, frame reader', reader, 'ms', '< 1000');
  figure('a 50 MB JSON-RPC frame, frame reader / join and parse alone', reader / floor, '×');
  console.log(`\nA ${(frame.length / 1e6).toFixed(0)} MB JSON-RPC frame fed in 64 KiB chunks (median of 5)`);
  report([
    ['through the sidecar frame reader', `${reader.toFixed(0)} ms (${verdict('< 1000', reader)})`],
    ['the body joined once and parsed (the floor)', `${floor.toFixed(0)} ms; the reader takes ${(reader / floor).toFixed(2)}×`],
  ]);
}
