// The ttrpc server over a real unix socket: answers, statuses, concurrency and out-of-order
// answers, deadlines, metadata, and peers that misbehave or hang up.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { StateRequest, StateResponse, Status, TaskService } from '../../../proto';
import { TtrpcClient } from '../client';
import { encodeHeader, MAX_PAYLOAD } from '../framing';
import { CallContext } from '../registry';
import { TtrpcServer } from '../server';
import { RpcError, StatusCode } from '../status';
import { callMethod } from '../typed';
import { RawPeer, sleep, tempSocketDir } from './helpers';

const SVC = 'test.v1.Echo';
const text = (s: string): Uint8Array => Buffer.from(s);
const str = (b: Uint8Array): string => Buffer.from(b).toString();

describe('ttrpc server', () => {
  let dir: string;
  let cleanup: () => void;
  let socketPath: string;
  let server: TtrpcServer;
  /** resolvers of calls to Block, by request text */
  let blocked: Map<string, (reply: string) => void>;
  let lastCtx: CallContext | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = tempSocketDir());
    socketPath = path.join(dir, 'nested', 'shim.sock');
    blocked = new Map();
    server = new TtrpcServer();
    server.register(SVC, 'Echo', async (req, ctx) => {
      lastCtx = ctx;
      return req;
    });
    server.register(SVC, 'Block', (req, ctx) => {
      lastCtx = ctx;
      return new Promise((resolve, reject) => {
        blocked.set(str(req), (reply) => resolve(text(reply)));
        ctx.signal.addEventListener('abort', () => reject(new Error('handler saw abort')));
      });
    });
    server.register(SVC, 'NotFound', async () => {
      throw new RpcError(StatusCode.NotFound, 'container "x": not found');
    });
    server.register(SVC, 'Crash', async () => {
      throw new TypeError('cannot read properties of undefined');
    });
    server.register(SVC, 'Throws', () => {
      throw new RpcError(StatusCode.FailedPrecondition, 'thrown before any promise');
    });
    server.register(SVC, 'Big', async (req) => Buffer.alloc(Number(str(req)), 0x5a));
    await server.listen(socketPath);
  });

  afterEach(async () => {
    await server.close(100);
    cleanup();
  });

  it('creates the socket folder and listens with mode 0600', () => {
    const st = fs.statSync(socketPath);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
  });

  it('answers a call with the handler result', async () => {
    const client = await TtrpcClient.connect(socketPath);
    assert.equal(str(await client.call(SVC, 'Echo', text('hello'))), 'hello');
    assert.equal(str(await client.call(SVC, 'Echo', new Uint8Array(0))), '');
    await client.close();
  });

  it('serves typed calls made with callMethod and the generated method table', async () => {
    server.register('containerd.task.v2.Task', 'State', async (request) => {
      const req = StateRequest.decode(request);
      return StateResponse.encode({ id: req.id, pid: 12, status: Status.STOPPED, exitStatus: 3 });
    });
    const client = await TtrpcClient.connect(socketPath);
    const state = await callMethod(client, 'containerd.task.v2.Task', TaskService.methods.State, {
      id: 'typed',
    });
    assert.equal(state.id, 'typed');
    assert.equal(state.status, Status.STOPPED);
    assert.equal(state.exitStatus, 3);
    await client.close();
  });

  it('passes request metadata and the called names to the handler', async () => {
    const client = await TtrpcClient.connect(`unix://${socketPath}`);
    await client.call(SVC, 'Echo', text('m'), {
      metadata: { 'containerd-namespace': 'k8s.io', multi: ['a', 'b'] },
    });
    assert.ok(lastCtx);
    assert.deepEqual(lastCtx.metadata.get('containerd-namespace'), ['k8s.io']);
    assert.deepEqual(lastCtx.metadata.get('multi'), ['a', 'b']);
    assert.equal(lastCtx.service, SVC);
    assert.equal(lastCtx.method, 'Echo');
    await client.close();
  });

  it('answers an RpcError with its code and message', async () => {
    const client = await TtrpcClient.connect(socketPath);
    await assert.rejects(client.call(SVC, 'NotFound', text('')), {
      name: 'RpcError',
      code: StatusCode.NotFound,
      message: 'container "x": not found',
    });
    await assert.rejects(client.call(SVC, 'Throws', text('')), {
      code: StatusCode.FailedPrecondition,
      message: 'thrown before any promise',
    });
    await client.close();
  });

  it('answers any other error as Internal with its message', async () => {
    const client = await TtrpcClient.connect(socketPath);
    await assert.rejects(client.call(SVC, 'Crash', text('')), {
      code: StatusCode.Internal,
      message: 'cannot read properties of undefined',
    });
    await client.close();
  });

  it('answers unknown services and methods Unimplemented, worded as containerd/ttrpc', async () => {
    const client = await TtrpcClient.connect(socketPath);
    await assert.rejects(client.call('no.such.Service', 'Echo', text('')), {
      code: StatusCode.Unimplemented,
      message: 'service no.such.Service',
    });
    await assert.rejects(client.call(SVC, 'NoSuchMethod', text('')), {
      code: StatusCode.Unimplemented,
      message: 'method NoSuchMethod',
    });
    await client.close();
  });

  it('runs many calls at once on one connection and answers them out of order', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const calls = ['a', 'b', 'c', 'd'].map((k) => client.call(SVC, 'Block', text(k)));
    while (blocked.size < 4) await sleep(2);
    // a quick call overtakes the blocked ones
    assert.equal(str(await client.call(SVC, 'Echo', text('quick'))), 'quick');
    const order: string[] = [];
    calls.forEach((c) => c.then((r) => order.push(str(r))));
    for (const k of ['c', 'a', 'd', 'b']) {
      blocked.get(k)?.(`reply-${k}`);
      await sleep(5);
    }
    assert.deepEqual((await Promise.all(calls)).map(str), [
      'reply-a',
      'reply-b',
      'reply-c',
      'reply-d',
    ]);
    assert.deepEqual(order, ['reply-c', 'reply-a', 'reply-d', 'reply-b']);
    await client.close();
  });

  it('answers on the stream id of each request', async () => {
    const peer = await RawPeer.connect(socketPath);
    peer.request(5, { service: SVC, method: 'Block', payload: text('five') });
    peer.request(7, { service: SVC, method: 'Echo', payload: text('seven') });
    const first = await peer.nextResponse();
    assert.equal(first.streamId, 7);
    assert.equal(str(first.response.payload), 'seven');
    assert.equal(first.response.status?.code ?? 0, 0);
    while (!blocked.has('five')) await sleep(2);
    blocked.get('five')?.('done');
    const second = await peer.nextResponse();
    assert.equal(second.streamId, 5);
    assert.equal(str(second.response.payload), 'done');
    peer.close();
  });

  it('honours the request timeout: the handler is aborted and the answer is DeadlineExceeded', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const peer = await RawPeer.connect(socketPath);
    peer.request(1, {
      service: SVC,
      method: 'Block',
      payload: text('slow'),
      timeoutNano: 30_000_000n,
    });
    const { response } = await peer.nextResponse();
    assert.equal(response.status?.code, StatusCode.DeadlineExceeded);
    assert.equal(response.status?.message, 'context deadline exceeded');
    assert.ok(lastCtx?.signal.aborted);
    peer.close();
    await client.close();
  });

  it('answers an oversized request ResourceExhausted and keeps the connection', async () => {
    const peer = await RawPeer.connect(socketPath);
    const length = MAX_PAYLOAD + 10;
    peer.write(encodeHeader(length, 1, 1, 0));
    peer.write(Buffer.alloc(length));
    const { streamId, response } = await peer.nextResponse();
    assert.equal(streamId, 1);
    assert.equal(response.status?.code, StatusCode.ResourceExhausted);
    assert.equal(
      response.status?.message,
      `message length ${length} exceed maximum message size of 4194304`,
    );
    peer.request(3, { service: SVC, method: 'Echo', payload: text('still here') });
    assert.equal(str((await peer.nextResponse()).response.payload), 'still here');
    peer.close();
  });

  it('answers garbage payloads and even stream ids with InvalidArgument, keeping the connection', async () => {
    const peer = await RawPeer.connect(socketPath);
    const junk = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    peer.write(Buffer.concat([encodeHeader(junk.length, 1, 1, 0), junk]));
    const bad = await peer.nextResponse();
    assert.equal(bad.streamId, 1);
    assert.equal(bad.response.status?.code, StatusCode.InvalidArgument);
    peer.request(2, { service: SVC, method: 'Echo', payload: text('even') });
    const even = await peer.nextResponse();
    assert.equal(even.streamId, 2);
    assert.equal(even.response.status?.code, StatusCode.InvalidArgument);
    // frames of other types and unknown types are ignored
    peer.write(Buffer.concat([encodeHeader(3, 9, 3, 0), Buffer.from('abc')]));
    peer.write(Buffer.concat([encodeHeader(3, 11, 77, 0), Buffer.from('abc')]));
    peer.request(13, { service: SVC, method: 'Echo', payload: text('ok') });
    const ok = await peer.nextResponse();
    assert.equal(ok.streamId, 13);
    assert.equal(str(ok.response.payload), 'ok');
    assert.equal(peer.closed, false);
    peer.close();
  });

  it('aborts the calls of a peer that hangs up mid-call, and serves everyone else', async () => {
    const other = await TtrpcClient.connect(socketPath);
    const peer = await RawPeer.connect(socketPath);
    peer.request(1, { service: SVC, method: 'Block', payload: text('orphan') });
    while (!blocked.has('orphan')) await sleep(2);
    const ctx = lastCtx;
    peer.close();
    while (!ctx?.signal.aborted) await sleep(2);
    assert.equal((ctx.signal.reason as RpcError).code, StatusCode.Canceled);
    // the handler finishing later writes nowhere and breaks nothing
    blocked.get('orphan')?.('too late');
    assert.equal(str(await other.call(SVC, 'Echo', text('fine'))), 'fine');
    assert.equal(server.activeCalls, 0);
    await other.close();
  });

  it('survives peers sending random bytes, and keeps serving others', async () => {
    // a fixed-seed generator, so a failure can be replayed
    let seed = 0x2545f491;
    const random = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const peers: RawPeer[] = [];
    for (let p = 0; p < 20; p++) {
      const peer = await RawPeer.connect(socketPath);
      peers.push(peer);
      for (let c = 0; c < 10; c++) {
        const chunk = Buffer.alloc(1 + Math.floor(random() * 64));
        for (let i = 0; i < chunk.length; i++) chunk[i] = Math.floor(random() * 256);
        // now and then a plausible header, so decoding reaches the Request parser
        if (c % 3 === 0 && chunk.length >= 10) chunk.writeUInt32BE(chunk.length - 10, 0);
        if (c % 3 === 0) chunk[8] = 1;
        peer.write(chunk);
      }
    }
    await sleep(50);
    const client = await TtrpcClient.connect(socketPath);
    assert.equal(str(await client.call(SVC, 'Echo', text('unharmed'))), 'unharmed');
    await client.close();
    for (const peer of peers) peer.close();
  });

  it('sends large answers whole (the two-buffer write path)', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const sizes = [8191, 8192, 8193, 100_000, MAX_PAYLOAD - 16];
    const answers = await Promise.all(sizes.map((n) => client.call(SVC, 'Big', text(String(n)))));
    answers.forEach((a, i) => {
      assert.equal(a.length, sizes[i]);
      assert.ok(a.every((b) => b === 0x5a));
    });
    await client.close();
  });

  it('answers ResourceExhausted instead of sending an oversized answer', async () => {
    const client = await TtrpcClient.connect(socketPath);
    await assert.rejects(client.call(SVC, 'Big', text(String(MAX_PAYLOAD))), {
      code: StatusCode.ResourceExhausted,
    });
    assert.equal(str(await client.call(SVC, 'Echo', text('after'))), 'after');
    await client.close();
  });

  it('replaces a stale socket file but refuses a live one', async () => {
    const stale = path.join(dir, 'stale.sock');
    // a server that died without removing its socket leaves a file nobody answers on
    fs.writeFileSync(stale, '');
    const second = new TtrpcServer();
    second.register(SVC, 'Echo', async (r) => r);
    await second.listen(stale);
    const client = await TtrpcClient.connect(stale);
    assert.equal(str(await client.call(SVC, 'Echo', text('x'))), 'x');
    await client.close();
    const third = new TtrpcServer();
    await assert.rejects(third.listen(stale), { code: 'EADDRINUSE' });
    await second.close(0);
    assert.equal(fs.existsSync(stale), false);
  });

  it('refuses a socket path too long for a unix socket, saying why', async () => {
    const long = path.join(dir, 'x'.repeat(120) + '.sock');
    await assert.rejects(new TtrpcServer().listen(long), /unix sockets allow 107/);
  });

  it('close() finishes even when a peer never hangs up', async () => {
    // a raw socket with allowHalfOpen keeps its side open after the server ends
    const stubborn = net.connect({ path: socketPath, allowHalfOpen: true });
    stubborn.on('error', () => undefined);
    await new Promise((r) => stubborn.once('connect', r));
    while (server.connectionCount < 1) await sleep(2);
    const started = Date.now();
    await server.close(0);
    assert.ok(Date.now() - started < 3000);
    assert.equal(server.connectionCount, 0);
    stubborn.destroy();
  });

  it('close() lets calls in flight answer, then removes the socket', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const call = client.call(SVC, 'Block', text('last'));
    while (!blocked.has('last')) await sleep(2);
    const closing = server.close(2000);
    await sleep(10);
    blocked.get('last')?.('answered');
    assert.equal(str(await call), 'answered');
    await closing;
    assert.equal(fs.existsSync(socketPath), false);
    await client.close();
  });
});
