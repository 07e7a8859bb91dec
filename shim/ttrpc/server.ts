// The ttrpc server the shim serves containerd's Task API from. Each connection runs many calls
// at once (Wait blocks for as long as a container runs) and answers them in whatever order
// they finish. The server never closes a connection itself: containerd reads that as shim
// death. A peer that hangs up or sends garbage only affects its own connection.
import * as fs from 'fs';
import * as net from 'net';
import { envelopeLength, decodeRequest, FrameParts, responseFrame } from './envelope';
import { FrameDecoder, FrameHandler, FrameType, MAX_PAYLOAD } from './framing';
import type { Handler, HandlerSource, RegisteredMethod } from './registry';
import { ServiceRegistry } from './registry';
import { listenUnix } from './socket';
import { FrameWriter } from './writer';
import { ActiveCall } from './context';
import { RpcError, StatusCode, statusOf } from './status';

/** setTimeout's longest delay; longer deadlines are treated as none. */
const MAX_TIMER_MS = 0x7fffffff;

export interface TtrpcServerOptions {
  /** Told about connection-level trouble (a write failing, a malformed request); default: ignore. */
  onError?: (err: Error) => void;
}

export class TtrpcServer implements HandlerSource {
  readonly registry: ServiceRegistry;
  private readonly netServer: net.Server;
  private readonly connections = new Set<ServerConnection>();
  private socketPath: string | undefined;
  private readonly onError: (err: Error) => void;

  constructor(options: TtrpcServerOptions = {}, registry = new ServiceRegistry()) {
    this.registry = registry;
    this.onError = options.onError ?? (() => undefined);
    this.netServer = net.createServer((socket) => this.accept(socket));
  }

  /** Adds a handler for `service`/`method` (e.g. `containerd.task.v2.Task`, `State`). */
  register(service: string, method: string, handler: Handler): void {
    this.registry.register(service, method, handler);
  }

  methods(): Iterable<RegisteredMethod> {
    return this.registry.methods();
  }

  /** Listens on a unix socket (`/path` or `unix:///path`), mode 0600; resolves once bound. */
  async listen(socketPath: string): Promise<void> {
    this.socketPath = await listenUnix(this.netServer, socketPath);
  }

  /** Calls being answered right now, over all connections. */
  get activeCalls(): number {
    let n = 0;
    for (const c of this.connections) n += c.active.size;
    return n;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Stops accepting connections and removes the socket file; calls in flight get up to
   * `graceMs` to answer, then every connection is ended (after its answers are flushed), and
   * a second later destroyed if its peer has not hung up.
   */
  async close(graceMs = 2000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.netServer.close(() => resolve()));
    if (this.socketPath) fs.rmSync(this.socketPath, { force: true });
    const deadline = Date.now() + graceMs;
    while (this.activeCalls > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const connections = [...this.connections];
    for (const c of connections) c.end();
    // a peer that never closes its side must not hold close() up
    const lingering = setTimeout(() => {
      for (const c of connections) c.destroy();
    }, 1000);
    await Promise.all([closed, ...connections.map((c) => c.closed)]);
    clearTimeout(lingering);
  }

  private accept(socket: net.Socket): void {
    const connection = new ServerConnection(socket, this.registry, this.onError);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
  }
}

/** One client connection: its frame decoder, its calls in flight, its writes. */
class ServerConnection implements FrameHandler {
  /** stream id → a call being answered */
  readonly active = new Map<number, ActiveCall>();
  private readonly decoder = new FrameDecoder(this);
  private readonly writer: FrameWriter;
  private hungUp = false;
  /** resolves when the socket has closed */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: net.Socket,
    private readonly registry: ServiceRegistry,
    private readonly onError: (err: Error) => void,
  ) {
    this.writer = new FrameWriter(socket);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    socket.on('error', (err) => {
      this.onError(err);
      socket.destroy();
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.hangUp();
        resolve();
      }),
    );
    // EOF from the peer is a hang-up, as for Go's ttrpc: its side closes (allowHalfOpen is
    // off), 'close' follows, and its calls are aborted. That is what tells a blocked Wait
    // that containerd went away.
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  frame(streamId: number, type: number, _flags: number, payload: Buffer): void {
    // responses and stream data are never addressed to a unary server: ignore them
    if (type !== FrameType.Request) return;
    if (streamId % 2 !== 1) {
      this.reply(
        streamId,
        StatusCode.InvalidArgument,
        'StreamID must be odd for client initiated streams',
      );
      return;
    }
    if (this.active.has(streamId)) {
      this.reply(streamId, StatusCode.InvalidArgument, `StreamID ${streamId} is already in use`);
      return;
    }
    let request;
    try {
      request = decodeRequest(payload);
    } catch (err) {
      const message = `ttrpc: error unmarshalling request: ${(err as Error).message}`;
      this.onError(new Error(message));
      this.reply(streamId, StatusCode.InvalidArgument, message);
      return;
    }
    const handler = this.registry.lookup(request.service, request.method);
    if (handler instanceof RpcError) {
      this.reply(streamId, handler.code, handler.message);
      return;
    }
    this.call(streamId, handler, request.service, request.method, request.payload, request);
  }

  oversized(streamId: number, type: number, length: number): void {
    if (type !== FrameType.Request) return;
    this.reply(
      streamId,
      StatusCode.ResourceExhausted,
      `message length ${length} exceed maximum message size of ${MAX_PAYLOAD}`,
    );
  }

  private call(
    streamId: number,
    handler: Handler,
    service: string,
    method: string,
    payload: Uint8Array,
    request: { timeoutNano: bigint; metadata: { key: string; value: string }[] },
  ): void {
    const metadata = new Map<string, string[]>();
    for (const { key, value } of request.metadata) {
      const values = metadata.get(key);
      if (values) values.push(value);
      else metadata.set(key, [value]);
    }
    const ctx = new ActiveCall(service, method, metadata);
    this.active.set(streamId, ctx);
    if (request.timeoutNano > 0n) {
      const ms = Number(request.timeoutNano / 1_000_000n);
      if (ms <= MAX_TIMER_MS) {
        ctx.timer = setTimeout(
          () => ctx.abort(new RpcError(StatusCode.DeadlineExceeded, 'context deadline exceeded')),
          ms,
        );
      }
    }
    let pending: Promise<Uint8Array>;
    try {
      pending = handler(payload, ctx);
    } catch (err) {
      pending = Promise.reject(err);
    }
    Promise.resolve(pending).then(
      (response) => {
        this.finish(streamId, ctx);
        if (!(response instanceof Uint8Array)) {
          this.reply(streamId, StatusCode.Internal, 'ttrpc: marshal called with nil');
        } else {
          this.reply(streamId, StatusCode.OK, '', response);
        }
      },
      (err: unknown) => {
        this.finish(streamId, ctx);
        // a handler that gave up because its deadline passed answers DeadlineExceeded
        const reason = ctx.abortReason;
        const status = statusOf(reason && !(err instanceof RpcError) ? reason : err);
        this.reply(streamId, status.code, status.message);
      },
    );
  }

  private finish(streamId: number, call: ActiveCall): void {
    if (call.timer) clearTimeout(call.timer);
    this.active.delete(streamId);
  }

  private reply(streamId: number, code: number, message: string, payload?: Uint8Array): void {
    if (this.hungUp || !this.socket.writable) return;
    let parts: FrameParts = responseFrame(streamId, code, message, payload ?? EMPTY);
    if (envelopeLength(parts) > MAX_PAYLOAD) {
      const size = envelopeLength(parts);
      parts = responseFrame(
        streamId,
        StatusCode.ResourceExhausted,
        `message length ${size} exceed maximum message size of ${MAX_PAYLOAD}`,
        EMPTY,
      );
    }
    this.writer.write(parts);
  }

  private hangUp(): void {
    this.hungUp = true;
    for (const call of this.active.values()) {
      if (call.timer) clearTimeout(call.timer);
      call.abort(new RpcError(StatusCode.Canceled, 'ttrpc: connection closed'));
    }
    this.active.clear();
  }
}

const EMPTY = new Uint8Array(0);
