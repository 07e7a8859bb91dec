// ttrpc benchmark: calls per second through tswasm's ttrpc server and client versus the very
// same handler served by @grpc/grpc-js over gRPC, both over unix sockets in this one process.
// The handler is a Task.State: decode a StateRequest, encode a StateResponse. Each transport is
// measured with one call in flight (latency-bound, like most containerd calls) and with many
// (throughput-bound). Best of REPS interleaved rounds per case, since the machine is shared.
// Usage: node dist/bench/ttrpc/run.js [--ms PER_ROUND] [--reps N] [--inflight N]
import * as grpc from '@grpc/grpc-js';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StateRequest, StateResponse, Status, timestampFromMs } from '../../proto';
import { serveGrpc } from '../../shim/grpc/server';
import { ServiceRegistry, TtrpcClient, TtrpcServer } from '../../shim/ttrpc';

const SERVICE = 'containerd.task.v2.Task';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

type Call = (request: Uint8Array) => Promise<Uint8Array>;

/** Calls `call` with `inflight` calls always outstanding for `ms`; returns calls per second. */
async function measure(call: Call, inflight: number, ms: number): Promise<number> {
  const request = StateRequest.encode({ id: 'bench-container-0123456789abcdef' });
  const deadline = performance.now() + ms;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const response = StateResponse.decode(await call(request));
      if (response.pid !== 4242) throw new Error('wrong answer');
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inflight }, worker));
  return (done * 1000) / (performance.now() - started);
}

/**
 * Best calls/s of each transport over `reps` rounds, the rounds of the two interleaved so
 * that load from elsewhere on the machine falls on both alike.
 */
async function bestOfBoth(
  a: Call,
  b: Call,
  inflight: number,
  ms: number,
  reps: number,
): Promise<[number, number]> {
  // warm-up: JIT, connections, buffers
  await measure(a, inflight, Math.min(200, ms));
  await measure(b, inflight, Math.min(200, ms));
  let topA = 0;
  let topB = 0;
  for (let i = 0; i < reps; i++) {
    topA = Math.max(topA, await measure(a, inflight, ms));
    topB = Math.max(topB, await measure(b, inflight, ms));
  }
  return [topA, topB];
}

async function main(): Promise<void> {
  const ms = option('--ms', 1000);
  const reps = option('--reps', 3);
  const many = option('--inflight', 32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ttrpc-'));

  const registry = new ServiceRegistry();
  registry.register(SERVICE, 'State', async (request) => {
    const req = StateRequest.decode(request);
    return StateResponse.encode({
      id: req.id,
      bundle: `/run/containerd/io.containerd.runtime.v2.task/default/${req.id}`,
      pid: 4242,
      status: Status.RUNNING,
      stdout: '/run/containerd/fifo/stdout',
      stderr: '/run/containerd/fifo/stderr',
      exitedAt: timestampFromMs(0),
    });
  });

  const ttrpcServer = new TtrpcServer({}, registry);
  await ttrpcServer.listen(path.join(dir, 'ttrpc.sock'));
  const ttrpcClient = await TtrpcClient.connect(path.join(dir, 'ttrpc.sock'));
  const viaTtrpc: Call = (req) => ttrpcClient.call(SERVICE, 'State', req);

  const grpcServer = await serveGrpc(registry, path.join(dir, 'grpc.sock'));
  const grpcClient = new grpc.Client(
    `unix:${grpcServer.socketPath}`,
    grpc.credentials.createInsecure(),
  );
  const raw = (b: Buffer): Buffer => b;
  const viaGrpc: Call = (req) =>
    new Promise((resolve, reject) =>
      grpcClient.makeUnaryRequest(
        `/${SERVICE}/State`,
        raw,
        raw,
        Buffer.from(req),
        (err: grpc.ServiceError | null, value?: Buffer) =>
          err ? reject(err) : resolve(value as Buffer),
      ),
    );

  console.log(`Task.State round trips over a unix socket, best of ${reps} x ${ms} ms`);
  console.log(
    `${'in flight'.padEnd(10)}${'ttrpc calls/s'.padStart(15)}${'grpc-js calls/s'.padStart(17)}${'ratio'.padStart(8)}`,
  );
  for (const inflight of [1, many]) {
    const [t, g] = await bestOfBoth(viaTtrpc, viaGrpc, inflight, ms, reps);
    console.log(
      `${String(inflight).padEnd(10)}${t.toFixed(0).padStart(15)}${g.toFixed(0).padStart(17)}${(t / g).toFixed(2).padStart(7)}x`,
    );
  }

  await ttrpcClient.close();
  grpcClient.close();
  await ttrpcServer.close(0);
  await grpcServer.close(0);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
