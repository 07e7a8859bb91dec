// The table of RPC handlers, keyed by service and method. The ttrpc server and the gRPC server
// (shim/grpc/server.ts) answer from the same registry, so a handler is written once.
import { RpcError, StatusCode } from './status';

/** What a handler knows about the call it answers. */
export interface CallContext {
  /** Request metadata; a key may carry several values. */
  metadata: Map<string, string[]>;
  /** Aborted when the caller's deadline passes or its connection goes away. */
  signal: AbortSignal;
  /** The called service and method, e.g. `containerd.task.v2.Task` and `Wait`. */
  service: string;
  method: string;
}

/** Answers one unary call: the encoded request in, the encoded response out. */
export type Handler = (request: Uint8Array, ctx: CallContext) => Promise<Uint8Array>;

export interface RegisteredMethod {
  service: string;
  method: string;
  handler: Handler;
}

/** Anything that can list its handlers: a ServiceRegistry, or a TtrpcServer. */
export interface HandlerSource {
  methods(): Iterable<RegisteredMethod>;
}

export class ServiceRegistry implements HandlerSource {
  private readonly services = new Map<string, Map<string, Handler>>();

  /** Adds a handler. Registering the same service and method twice is a programming error. */
  register(service: string, method: string, handler: Handler): void {
    let methods = this.services.get(service);
    if (!methods) this.services.set(service, (methods = new Map()));
    if (methods.has(method)) throw new Error(`ttrpc: ${service}/${method} registered twice`);
    methods.set(method, handler);
  }

  /**
   * The handler for a call, or the RpcError to answer with, worded as containerd/ttrpc words
   * it (`service X`, `method Y`, code Unimplemented).
   */
  lookup(service: string, method: string): Handler | RpcError {
    const methods = this.services.get(service);
    if (!methods) return new RpcError(StatusCode.Unimplemented, `service ${service}`);
    const handler = methods.get(method);
    if (!handler) return new RpcError(StatusCode.Unimplemented, `method ${method}`);
    return handler;
  }

  *methods(): Iterable<RegisteredMethod> {
    for (const [service, methods] of this.services) {
      for (const [method, handler] of methods) yield { service, method, handler };
    }
  }
}
