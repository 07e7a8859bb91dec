// The gRPC server answers from the ttrpc handler registry: a round trip with @grpc/grpc-js's
// own client, statuses, metadata, and an unregistered method.
import * as grpc from '@grpc/grpc-js';
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { StateRequest, StateResponse, Status } from '../../../proto';
import { CallContext, ServiceRegistry } from '../../ttrpc/registry';
import { RpcError, StatusCode } from '../../ttrpc/status';
import { TtrpcServer } from '../../ttrpc/server';
import { tempSocketDir } from '../../ttrpc/test/helpers';
import { GrpcServer, serveGrpc } from '../server';

const TASK = 'containerd.task.v3.Task';
const raw = (b: Buffer): Buffer => b;

function unary(
  client: grpc.Client,
  method: string,
  request: Uint8Array,
  metadata = new grpc.Metadata(),
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      method,
      raw,
      raw,
      Buffer.from(request),
      metadata,
      (err: grpc.ServiceError | null, value?: Buffer) =>
        err ? reject(err) : resolve(value as Buffer),
    ),
  );
}

describe('gRPC server over the ttrpc handlers', () => {
  let cleanup: () => void;
  let socketPath: string;
  let served: GrpcServer;
  let client: grpc.Client;
  let lastCtx: CallContext | undefined;

  before(async () => {
    let dir: string;
    ({ dir, cleanup } = tempSocketDir());
    socketPath = path.join(dir, 'grpc', 'shim.sock');
    const registry = new ServiceRegistry();
    registry.register(TASK, 'State', async (request, ctx) => {
      lastCtx = ctx;
      const req = StateRequest.decode(request);
      if (req.id === 'missing')
        throw new RpcError(StatusCode.NotFound, `container ${req.id}: not found`);
      if (req.id === 'crash') throw new Error('boom');
      return StateResponse.encode({ id: req.id, pid: 7, status: Status.RUNNING });
    });
    registry.register(TASK, 'Wait', (_request, ctx) => {
      lastCtx = ctx;
      // blocks until the caller gives up
      return new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
      );
    });
    served = await serveGrpc(registry, `unix://${socketPath}`);
    client = new grpc.Client(`unix:${socketPath}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await served.close(100);
    cleanup();
  });

  it('listens on the unix socket with mode 0600', () => {
    assert.equal(served.socketPath, socketPath);
    assert.equal(fs.statSync(socketPath).mode & 0o777, 0o600);
  });

  it('answers a call made with @grpc/grpc-js', async () => {
    const metadata = new grpc.Metadata();
    metadata.add('containerd-namespace', 'default');
    const answer = await unary(
      client,
      `/${TASK}/State`,
      StateRequest.encode({ id: 'c1' }),
      metadata,
    );
    const state = StateResponse.decode(answer);
    assert.equal(state.id, 'c1');
    assert.equal(state.pid, 7);
    assert.equal(state.status, Status.RUNNING);
    assert.deepEqual(lastCtx?.metadata.get('containerd-namespace'), ['default']);
    assert.equal(lastCtx?.method, 'State');
  });

  it('answers an RpcError with its code, anything else as Internal', async () => {
    await assert.rejects(unary(client, `/${TASK}/State`, StateRequest.encode({ id: 'missing' })), {
      code: grpc.status.NOT_FOUND,
      details: 'container missing: not found',
    });
    await assert.rejects(unary(client, `/${TASK}/State`, StateRequest.encode({ id: 'crash' })), {
      code: grpc.status.INTERNAL,
      details: 'boom',
    });
  });

  it('aborts the handler when the deadline of the caller passes', async () => {
    const call = new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        `/${TASK}/Wait`,
        raw,
        raw,
        Buffer.alloc(0),
        new grpc.Metadata(),
        { deadline: Date.now() + 50 },
        (err: grpc.ServiceError | null, value?: Buffer) =>
          err ? reject(err) : resolve(value as Buffer),
      ),
    );
    await assert.rejects(call, { code: grpc.status.DEADLINE_EXCEEDED });
    const deadline = Date.now() + 2000;
    while (!lastCtx?.signal.aborted && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(lastCtx?.method, 'Wait');
    assert.equal(lastCtx?.signal.aborted, true);
  });

  it('answers an unregistered method Unimplemented', async () => {
    await assert.rejects(unary(client, `/${TASK}/Checkpoint`, new Uint8Array(0)), {
      code: grpc.status.UNIMPLEMENTED,
    });
  });

  it('serves what a TtrpcServer registered', async () => {
    const ttrpc = new TtrpcServer();
    ttrpc.register('test.Echo', 'Echo', async (r) => r);
    const other = await serveGrpc(ttrpc, path.join(path.dirname(socketPath), 'echo.sock'));
    const echoClient = new grpc.Client(
      `unix:${other.socketPath}`,
      grpc.credentials.createInsecure(),
    );
    try {
      const answer = await unary(echoClient, '/test.Echo/Echo', Buffer.from('over grpc'));
      assert.equal(answer.toString(), 'over grpc');
    } finally {
      echoClient.close();
      await other.close(100);
    }
    assert.equal(fs.existsSync(other.socketPath), false);
  });
});
