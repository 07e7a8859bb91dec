// The ttrpc client: the frames it writes, timeouts, cancellation, and losing the connection.
import { strict as assert } from 'assert';
import * as net from 'net';
import * as path from 'path';
import * as ttrpc from '../../../proto/gen/ttrpc';
import { TtrpcClient } from '../client';
import { encodeHeader, FrameDecoder, MAX_PAYLOAD } from '../framing';
import { StatusCode } from '../status';
import { sleep, tempSocketDir } from './helpers';

interface Received {
  streamId: number;
  type: number;
  request: ttrpc.Request;
  socket: net.Socket;
}

/** A raw server that records requests and lets the test answer them by hand. */
async function rawServer(socketPath: string): Promise<{ server: net.Server; seen: Received[] }> {
  const seen: Received[] = [];
  const server = net.createServer((socket) => {
    const decoder = new FrameDecoder({
      frame: (streamId, type, _f, payload) =>
        seen.push({ streamId, type, request: ttrpc.Request.decode(payload), socket }),
      oversized: () => undefined,
    });
    socket.on('data', (c: Buffer) => decoder.push(c));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  return { server, seen };
}

function answer(to: Received, response: ttrpc.ResponseInit): void {
  const body = ttrpc.Response.encode(response);
  to.socket.write(Buffer.concat([encodeHeader(body.length, to.streamId, 2, 0), body]));
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await sleep(2);
}

describe('ttrpc client', () => {
  let dir: string;
  let cleanup: () => void;
  let socketPath: string;
  let server: net.Server;
  let seen: Received[];

  beforeEach(async () => {
    ({ dir, cleanup } = tempSocketDir());
    socketPath = path.join(dir, 'raw.sock');
    ({ server, seen } = await rawServer(socketPath));
  });

  afterEach(async () => {
    await new Promise((r) => server.close(r));
    cleanup();
  });

  it('sends requests on odd, increasing stream ids with the service, method, payload and metadata', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const calls = [1, 2, 3].map((i) =>
      client.call('svc', `M${i}`, Buffer.from(`p${i}`), { metadata: { k: ['v1', 'v2'] } }),
    );
    await until(() => seen.length === 3);
    assert.deepEqual(
      seen.map((s) => [s.streamId, s.type]),
      [
        [1, 1],
        [3, 1],
        [5, 1],
      ],
    );
    assert.equal(seen[1].request.service, 'svc');
    assert.equal(seen[1].request.method, 'M2');
    assert.equal(Buffer.from(seen[1].request.payload).toString(), 'p2');
    assert.equal(seen[1].request.timeoutNano, 0n);
    assert.deepEqual(seen[1].request.metadata, [
      { key: 'k', value: 'v1' },
      { key: 'k', value: 'v2' },
    ]);
    // answers in reverse order reach the right callers
    for (const s of [...seen].reverse()) answer(s, { payload: Buffer.from(`r${s.streamId}`) });
    assert.deepEqual(
      (await Promise.all(calls)).map((b) => Buffer.from(b).toString()),
      ['r1', 'r3', 'r5'],
    );
    await client.close();
  });

  it('sends the timeout as timeout_nano and fails with DeadlineExceeded when it passes', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const started = Date.now();
    await assert.rejects(client.call('svc', 'Slow', new Uint8Array(0), { timeoutMs: 40 }), {
      code: StatusCode.DeadlineExceeded,
    });
    assert.ok(Date.now() - started >= 35);
    assert.equal(seen[0].request.timeoutNano, 40_000_000n);
    // the late answer is ignored, and the connection still works
    answer(seen[0], { payload: Buffer.from('late') });
    const next = client.call('svc', 'Next', new Uint8Array(0));
    await until(() => seen.length === 2);
    answer(seen[1], { payload: Buffer.from('ok') });
    assert.equal(Buffer.from(await next).toString(), 'ok');
    await client.close();
  });

  it('turns an error status into an RpcError', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const call = client.call('svc', 'Fail', new Uint8Array(0));
    await until(() => seen.length === 1);
    answer(seen[0], { status: { code: StatusCode.NotFound, message: 'no such task' } });
    await assert.rejects(call, { code: StatusCode.NotFound, message: 'no such task' });
    await client.close();
  });

  it('fails every pending call with Unavailable when the connection is lost', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const calls = [
      client.call('svc', 'A', new Uint8Array(0)),
      client.call('svc', 'B', new Uint8Array(0)),
    ];
    await until(() => seen.length === 2);
    seen[0].socket.destroy();
    const outcomes = await Promise.allSettled(calls);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      const err = (outcome as PromiseRejectedResult).reason as Error & { code?: number };
      assert.equal(err.code, StatusCode.Unavailable);
      assert.match(err.message, /connection to .*raw\.sock closed/);
    }
    assert.equal(client.closed, true);
    await assert.rejects(client.call('svc', 'C', new Uint8Array(0)), {
      code: StatusCode.Unavailable,
    });
  });

  it('cancels a call when its signal aborts', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const abort = new AbortController();
    const call = client.call('svc', 'A', new Uint8Array(0), { signal: abort.signal });
    abort.abort();
    await assert.rejects(call, { code: StatusCode.Canceled });
    await client.close();
  });

  it('refuses an oversized request without sending it', async () => {
    const client = await TtrpcClient.connect(socketPath);
    await assert.rejects(client.call('svc', 'Big', new Uint8Array(MAX_PAYLOAD)), {
      code: StatusCode.ResourceExhausted,
    });
    await sleep(20);
    assert.equal(seen.length, 0);
    await client.close();
  });

  it('fails to connect to a missing socket with Unavailable', async () => {
    await assert.rejects(TtrpcClient.connect(path.join(dir, 'missing.sock')), {
      code: StatusCode.Unavailable,
    });
  });

  it('close() fails pending calls and later calls', async () => {
    const client = await TtrpcClient.connect(socketPath);
    const call = client.call('svc', 'A', new Uint8Array(0));
    const rejected = assert.rejects(call, {
      code: StatusCode.Unavailable,
      message: 'ttrpc: client closed',
    });
    await client.close();
    await rejected;
  });
});
