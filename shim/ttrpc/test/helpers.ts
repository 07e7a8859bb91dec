// Test helpers: temporary socket paths, and a raw ttrpc peer that writes frames byte for byte
// and reads the answers, to test what well-behaved clients never send.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as ttrpc from '../../../proto/gen/ttrpc';
import { encodeHeader, FrameDecoder } from '../framing';

/** A fresh folder for sockets; removed by the returned cleanup. */
export function tempSocketDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ttrpc-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface RawFrame {
  streamId: number;
  type: number;
  flags: number;
  payload: Buffer;
}

export class RawPeer {
  private readonly frames: RawFrame[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    const decoder = new FrameDecoder({
      frame: (streamId, type, flags, payload) => {
        this.frames.push({ streamId, type, flags, payload: Buffer.from(payload) });
        this.wake();
      },
      oversized: () => undefined,
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(socketPath: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath, () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Writes a Request frame on `streamId`. */
  request(streamId: number, fields: ttrpc.RequestInit): void {
    const body = ttrpc.Request.encode(fields);
    this.write(Buffer.concat([encodeHeader(body.length, streamId, 1, 0), body]));
  }

  /** The next frame received, decoded as a Response. */
  async nextResponse(timeoutMs = 2000): Promise<{ streamId: number; response: ttrpc.Response }> {
    const frame = await this.next(timeoutMs);
    return { streamId: frame.streamId, response: ttrpc.Response.decode(frame.payload) };
  }

  async next(timeoutMs = 2000): Promise<RawFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame within the time allowed');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames.shift() as RawFrame;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
