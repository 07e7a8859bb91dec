// A ttrpc client: unary calls over one unix socket connection, many in flight at once, each on
// its own odd stream id (1, 3, 5, ...). Used to publish events to containerd and by tests and
// tools to call a shim. A lost connection fails every pending call with Unavailable.
import * as net from 'net';
import { decodeResponse, envelopeLength, requestFrame } from './envelope';
import { FrameDecoder, FrameHandler, FrameType, MAX_PAYLOAD } from './framing';
import { socketPathOf } from './socket';
import { RpcError, StatusCode } from './status';
import { FrameWriter } from './writer';

export interface CallOptions {
  /** Fails the call with DeadlineExceeded after this long; also sent to the server. */
  timeoutMs?: number;
  /** Request metadata (ttrpc KeyValue pairs). */
  metadata?: Record<string, string | string[]>;
  /** Abandons the call (Canceled) when aborted. */
  signal?: AbortSignal;
}

export interface ConnectOptions {
  /** Fails the connect after this long (default 10 s). */
  timeoutMs?: number;
}

interface PendingCall {
  resolve(payload: Uint8Array): void;
  reject(err: RpcError): void;
  timer: NodeJS.Timeout | undefined;
  cleanup: (() => void) | undefined;
}

export class TtrpcClient implements FrameHandler {
  private readonly pending = new Map<number, PendingCall>();
  private readonly decoder = new FrameDecoder(this);
  private readonly writer: FrameWriter;
  private nextStreamId = 1;
  private closeError: RpcError | undefined;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    readonly socketPath: string,
  ) {
    this.writer = new FrameWriter(socket);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    socket.on('error', (err) =>
      this.lose(`ttrpc: connection to ${socketPath} failed: ${err.message}`),
    );
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.lose(`ttrpc: connection to ${socketPath} closed`);
        resolve();
      }),
    );
  }

  /** Connects to a ttrpc server at `/path` or `unix:///path`. */
  static connect(address: string, options: ConnectOptions = {}): Promise<TtrpcClient> {
    const socketPath = socketPathOf(address);
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RpcError(StatusCode.Unavailable, `ttrpc: connect to ${socketPath} timed out`));
      }, options.timeoutMs ?? 10_000);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(
          new RpcError(StatusCode.Unavailable, `ttrpc: connect to ${socketPath}: ${err.message}`),
        );
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new TtrpcClient(socket, socketPath));
      });
    });
  }

  /** Whether the connection is gone (calls fail at once). */
  get closed(): boolean {
    return this.closeError !== undefined;
  }

  /** Resolves when the connection has closed, for whatever reason. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** Calls `service`/`method` with an encoded request; resolves to the encoded response. */
  call(
    service: string,
    method: string,
    request: Uint8Array,
    options: CallOptions = {},
  ): Promise<Uint8Array> {
    if (this.closeError) return Promise.reject(this.closeError);
    if (options.signal?.aborted) {
      return Promise.reject(new RpcError(StatusCode.Canceled, 'context canceled'));
    }
    const streamId = this.nextStreamId;
    if (streamId > 0xffffffff) {
      return Promise.reject(
        new RpcError(StatusCode.ResourceExhausted, 'ttrpc: stream ids exhausted'),
      );
    }
    const metadata: { key: string; value: string }[] = [];
    for (const [key, value] of Object.entries(options.metadata ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) metadata.push({ key, value: v });
    }
    const timeoutMs = options.timeoutMs;
    const parts = requestFrame(
      streamId,
      {
        service,
        method,
        timeoutNano: timeoutMs && timeoutMs > 0 ? BigInt(Math.ceil(timeoutMs * 1e6)) : 0n,
        metadata,
      },
      request,
    );
    const length = envelopeLength(parts);
    if (length > MAX_PAYLOAD) {
      return Promise.reject(
        new RpcError(
          StatusCode.ResourceExhausted,
          `message length ${length} exceed maximum message size of ${MAX_PAYLOAD}`,
        ),
      );
    }
    this.nextStreamId += 2;
    return new Promise<Uint8Array>((resolve, reject) => {
      const call: PendingCall = { resolve, reject, timer: undefined, cleanup: undefined };
      if (timeoutMs !== undefined && timeoutMs > 0) {
        call.timer = setTimeout(
          () =>
            this.settle(
              streamId,
              new RpcError(StatusCode.DeadlineExceeded, 'context deadline exceeded'),
            ),
          Math.min(timeoutMs, 0x7fffffff),
        );
      }
      const signal = options.signal;
      if (signal) {
        const onAbort = (): void =>
          this.settle(streamId, new RpcError(StatusCode.Canceled, 'context canceled'));
        signal.addEventListener('abort', onAbort, { once: true });
        call.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(streamId, call);
      this.writer.write(parts);
    });
  }

  /** Closes the connection; pending calls fail with Unavailable. Resolves once closed. */
  close(): Promise<void> {
    this.lose(`ttrpc: client closed`);
    this.socket.destroy();
    return this.closedPromise;
  }

  frame(streamId: number, type: number, _flags: number, payload: Buffer): void {
    if (type !== FrameType.Response) return;
    if (!this.pending.has(streamId)) return; // a late answer to a call that timed out
    let response;
    try {
      response = decodeResponse(payload);
    } catch (err) {
      this.settle(
        streamId,
        new RpcError(StatusCode.Internal, `ttrpc: malformed response: ${(err as Error).message}`),
      );
      return;
    }
    const status = response.status;
    if (status && status.code !== StatusCode.OK) {
      this.settle(streamId, new RpcError(status.code, status.message));
    } else {
      this.settle(streamId, response.payload);
    }
  }

  oversized(streamId: number, type: number, length: number): void {
    if (type !== FrameType.Response) return;
    this.settle(
      streamId,
      new RpcError(
        StatusCode.ResourceExhausted,
        `message length ${length} exceed maximum message size of ${MAX_PAYLOAD}`,
      ),
    );
  }

  private settle(streamId: number, outcome: Uint8Array | RpcError): void {
    const call = this.pending.get(streamId);
    if (!call) return;
    this.pending.delete(streamId);
    if (call.timer) clearTimeout(call.timer);
    call.cleanup?.();
    if (outcome instanceof RpcError) call.reject(outcome);
    else call.resolve(outcome);
  }

  /** The connection is gone: fail everything pending, and every later call. */
  private lose(message: string): void {
    if (!this.closeError) this.closeError = new RpcError(StatusCode.Unavailable, message);
    for (const streamId of [...this.pending.keys()]) this.settle(streamId, this.closeError);
  }
}
