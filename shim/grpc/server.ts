// Serves the handlers registered for ttrpc over gRPC too (@grpc/grpc-js, raw bytes in and
// out), on a unix socket: containerd 2.x can talk to shims over gRPC, and standard gRPC tools
// can call the shim when debugging. @grpc/grpc-js is loaded only when this runs, so the shim's
// start-up does not pay for it.
import type * as grpc from '@grpc/grpc-js';
import * as fs from 'fs';
import { ActiveCall } from '../ttrpc/context';
import type { HandlerSource, RegisteredMethod } from '../ttrpc/registry';
import { prepareSocketPath } from '../ttrpc/socket';
import { RpcError, StatusCode, statusOf } from '../ttrpc/status';

export interface GrpcServer {
  readonly socketPath: string;
  /** Stops accepting calls and removes the socket; calls in flight get `graceMs` to finish. */
  close(graceMs?: number): Promise<void>;
}

const passThrough = (bytes: Buffer): Buffer => bytes;
const toBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Serves every handler `registry` holds now over gRPC at `socketPath` (`/path` or
 * `unix:///path`, mode 0600). Handlers registered later are not served.
 */
export async function serveGrpc(registry: HandlerSource, socketPath: string): Promise<GrpcServer> {
  const grpcJs = await import('@grpc/grpc-js');
  const server = new grpcJs.Server();

  const byService = new Map<string, RegisteredMethod[]>();
  for (const m of registry.methods()) {
    const list = byService.get(m.service) ?? [];
    list.push(m);
    byService.set(m.service, list);
  }
  for (const [service, methods] of byService) {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const { method, handler } of methods) {
      definition[method] = {
        path: `/${service}/${method}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      };
      implementation[method] = (
        call: grpc.ServerUnaryCall<Buffer, Buffer>,
        callback: grpc.sendUnaryData<Buffer>,
      ) => {
        const ctx = new ActiveCall(service, method, metadataOf(call.metadata));
        call.once('cancelled', () =>
          ctx.abort(new RpcError(StatusCode.Canceled, 'context canceled')),
        );
        let pending: Promise<Uint8Array>;
        try {
          pending = handler(call.request, ctx);
        } catch (err) {
          pending = Promise.reject(err);
        }
        Promise.resolve(pending).then(
          (response) => callback(null, toBuffer(response)),
          (err: unknown) => {
            const status = statusOf(err);
            // gRPC's Status enum has the same numbers as StatusCode
            callback({ code: status.code as number as grpc.status, details: status.message });
          },
        );
      };
    }
    server.addService(definition, implementation);
  }

  const path = await prepareSocketPath(socketPath);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${path}`, grpcJs.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  // bound under the default umask (no write bit for others, so no one else can connect)
  fs.chmodSync(path, 0o600);

  return {
    socketPath: path,
    close(graceMs = 2000): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          fs.rmSync(path, { force: true });
          resolve();
        });
      });
    },
  };
}

/** gRPC metadata as ttrpc's multi-valued map; binary (`-bin`) values are base64. */
function metadataOf(metadata: grpc.Metadata): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of Object.keys(metadata.getMap())) {
    out.set(
      key,
      metadata.get(key).map((v) => (typeof v === 'string' ? v : v.toString('base64'))),
    );
  }
  return out;
}
