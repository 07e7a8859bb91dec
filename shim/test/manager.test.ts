// `start` and `delete` through the real binary, as containerd runs them (no containerd needed):
// the printed address, the address file, daemon reuse within a group, and DeleteResponse.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as pb from '../../proto';
import { encodeDeleteResponse } from '../manager/delete';
import { protocolFor, startOutput } from '../manager/start';
import { TtrpcClient } from '../ttrpc';
import { makeBundle, repo, tempDir } from './harness';

const shim = path.join(repo, 'bin', 'containerd-shim-tswasm-v1');

function run(args: string[], bundle: string, env: NodeJS.ProcessEnv) {
  return spawnSync(shim, args, {
    cwd: bundle,
    env: { ...process.env, ...env },
    input: 'options',
    timeout: 20_000,
  });
}

describe('shim start and delete (the binary)', function () {
  this.timeout(30_000);
  let root: string;
  let env: NodeJS.ProcessEnv;
  const sockets: string[] = [];

  before(() => {
    root = tempDir('tswasm-mgr-');
    env = { TSWASM_SOCKET_DIR: path.join(root, 's'), TTRPC_ADDRESS: '' };
  });

  after(async () => {
    // shut the daemons down the way containerd does
    for (const socket of sockets) {
      const client = await TtrpcClient.connect(socket).catch(() => undefined);
      await client
        ?.call('containerd.task.v2.Task', 'Shutdown', pb.ShutdownRequest.encode({ id: 'x' }))
        .catch(() => {});
      await client?.close();
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts a daemon, prints only unix://<socket>, writes the address file; a group shares it', async () => {
    const sandbox = { 'io.kubernetes.cri.sandbox-id': 'pod1' };
    const a = makeBundle(root, 'a', { args: ['/x'], annotations: sandbox });
    const b = makeBundle(root, 'b', { args: ['/x'], annotations: sandbox });
    const c = makeBundle(root, 'c', { args: ['/x'] });
    const flags = (id: string) => [
      '-namespace',
      'ns',
      '-address',
      '/run/test.sock',
      '-publish-binary',
      '/bin/true',
      '-id',
      id,
      'start',
    ];
    const first = run(flags('a'), a, env);
    assert.equal(first.status, 0, first.stderr.toString());
    const address = first.stdout.toString();
    assert.match(address, /^unix:\/\/\/.*\/s\/[0-9a-f]{64}$/);
    assert.equal(first.stderr.toString(), '');
    assert.equal(fs.readFileSync(path.join(a, 'address'), 'utf8'), address);
    const socket = address.slice('unix://'.length);
    sockets.push(socket);
    assert.equal(fs.statSync(socket).mode & 0o777, 0o600);
    // the daemon answers ttrpc
    const client = await TtrpcClient.connect(socket);
    const connected = pb.ConnectResponse.decode(
      await client.call(
        'containerd.task.v2.Task',
        'Connect',
        pb.ConnectRequest.encode({ id: 'a' }),
      ),
    );
    assert.ok(connected.shimPid > 0 && connected.shimPid !== process.pid);
    await client.close();
    // same sandbox: same daemon; another container: another daemon
    const second = run(flags('b'), b, env);
    assert.equal(second.stdout.toString(), address);
    const third = run(flags('c'), c, env);
    assert.notEqual(third.stdout.toString(), address);
    sockets.push(third.stdout.toString().slice('unix://'.length));
  });

  it('hosts a whole namespace in one daemon with TSWASM_SHIM_GROUPING=namespace', () => {
    const x = makeBundle(root, 'nx', { args: ['/x'] });
    const y = makeBundle(root, 'ny', {
      args: ['/x'],
      annotations: { 'io.kubernetes.cri.sandbox-id': 'p' },
    });
    const nsEnv = { ...env, TSWASM_SHIM_GROUPING: 'namespace' };
    const flags = (ns: string, id: string) => [
      '-namespace',
      ns,
      '-address',
      '/run/test.sock',
      '-id',
      id,
      'start',
    ];
    const first = run(flags('one', 'nx'), x, nsEnv).stdout.toString();
    assert.match(first, /^unix:\/\//);
    assert.equal(run(flags('one', 'ny'), y, nsEnv).stdout.toString(), first);
    const other = run(flags('two', 'nx'), x, nsEnv).stdout.toString();
    assert.notEqual(other, first);
    sockets.push(first.slice('unix://'.length), other.slice('unix://'.length));
  });

  it('keeps a shared daemon for the group until its last container is gone; delete leaves it be', async () => {
    const group = { 'io.containerd.tswasm.v1.group': 'shared' };
    const files = { 'loop.wasm': { fixture: 'shim_loop' } };
    const a = makeBundle(root, 'ga', { args: ['/loop.wasm'], annotations: group, files });
    const b = makeBundle(root, 'gb', { args: ['/loop.wasm'], annotations: group, files });
    const flags = (id: string) => [
      '-namespace',
      'ns',
      '-address',
      '/run/test.sock',
      '-id',
      id,
      'start',
    ];
    const address = run(flags('ga'), a, env).stdout.toString();
    assert.equal(run(flags('gb'), b, env).stdout.toString(), address);
    const socket = address.slice('unix://'.length);
    const client = await TtrpcClient.connect(socket);
    const call = async <Req, Res>(
      method: string,
      type: { encode(r: Req): Uint8Array },
      req: Req,
      res: { decode(b: Uint8Array): Res },
    ) => res.decode(await client.call('containerd.task.v2.Task', method, type.encode(req)));
    for (const [id, bundle] of [
      ['ga', a],
      ['gb', b],
    ]) {
      await call('Create', pb.CreateTaskRequest, { id, bundle }, pb.CreateTaskResponse);
      await call('Start', pb.StartRequest, { id }, pb.StartResponse);
    }
    // containerd finishes with ga: kill, delete, Shutdown, then the delete binary
    await call('Kill', pb.KillRequest, { id: 'ga', signal: 9 }, pb.Empty);
    assert.equal(
      (await call('Wait', pb.WaitRequest, { id: 'ga' }, pb.WaitResponse)).exitStatus,
      137,
    );
    await call('Delete', pb.DeleteRequest, { id: 'ga' }, pb.DeleteResponse);
    await call('Shutdown', pb.ShutdownRequest, { id: 'ga' }, pb.Empty);
    assert.equal(run(['-namespace', 'ns', '-id', 'ga', '-bundle', a, 'delete'], a, env).status, 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // gb still runs on the same daemon
    assert.equal(
      (await call('State', pb.StateRequest, { id: 'gb' }, pb.StateResponse)).status,
      pb.Status.RUNNING,
    );
    assert.ok(fs.existsSync(socket));
    await call('Kill', pb.KillRequest, { id: 'gb', signal: 15 }, pb.Empty);
    assert.equal(
      (await call('Wait', pb.WaitRequest, { id: 'gb' }, pb.WaitResponse)).exitStatus,
      143,
    );
    await call('Delete', pb.DeleteRequest, { id: 'gb' }, pb.DeleteResponse);
    await call('Shutdown', pb.ShutdownRequest, { id: 'gb' }, pb.Empty);
    // the last one out: the daemon removes its socket and exits (its connection closes)
    const deadline = Date.now() + 5000;
    while (fs.existsSync(socket) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(!fs.existsSync(socket));
    await client.close();
  });

  it('serves gRPC and prints the bootstrap JSON when asked and containerd takes it', async () => {
    const bundle = makeBundle(root, 'grpc', { args: ['/x'] });
    const grpcEnv = { ...env, TSWASM_SHIM_PROTOCOL: 'grpc', MAX_SHIM_VERSION: '3' };
    const flags = ['-namespace', 'ns', '-address', '/run/test.sock', '-id', 'grpc', 'start'];
    const result = run(flags, bundle, grpcEnv);
    assert.equal(result.status, 0, result.stderr.toString());
    const printed = JSON.parse(result.stdout.toString()) as {
      version: number;
      address: string;
      protocol: string;
    };
    assert.equal(printed.version, 3);
    assert.equal(printed.protocol, 'grpc');
    assert.ok(printed.address.startsWith('/'));
    const grpc = await import('@grpc/grpc-js');
    const client = new grpc.Client(`unix:${printed.address}`, grpc.credentials.createInsecure());
    const call = (method: string, request: Uint8Array) =>
      new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest(
          `/containerd.task.v2.Task/${method}`,
          (b: Uint8Array) => Buffer.from(b),
          (b: Buffer) => b,
          request,
          (err, value) => (err ? reject(err) : resolve(value!)),
        ),
      );
    const connected = pb.ConnectResponse.decode(
      await call('Connect', pb.ConnectRequest.encode({ id: 'grpc' })),
    );
    assert.ok(connected.shimPid > 0);
    await call('Shutdown', pb.ShutdownRequest.encode({ id: 'grpc' }));
    client.close();
    // containerd 1.7 takes version 2 only; 1.6 (no MAX_SHIM_VERSION) gets ttrpc
    assert.deepEqual(JSON.parse(startOutput('/s', 'grpc', { MAX_SHIM_VERSION: '2' })), {
      version: 2,
      address: '/s',
      protocol: 'grpc',
    });
    assert.equal(protocolFor({ TSWASM_SHIM_PROTOCOL: 'grpc' }), 'ttrpc');
    assert.equal(startOutput('/s', 'ttrpc', {}), 'unix:///s');
  });

  it('delete removes the socket of a daemon that was killed, and only that', async () => {
    const bundle = makeBundle(root, 'dead', { args: ['/x'] });
    const address = run(
      ['-namespace', 'ns', '-address', '/run/test.sock', '-id', 'dead', 'start'],
      bundle,
      env,
    ).stdout.toString();
    const socket = address.slice('unix://'.length);
    // a live daemon keeps its socket through delete
    assert.equal(
      run(['-namespace', 'ns', '-id', 'dead', '-bundle', bundle, 'delete'], bundle, env).status,
      0,
    );
    assert.ok(fs.existsSync(socket));
    // kill the daemon as containerd would find it after a crash: its socket stays behind
    const client = await TtrpcClient.connect(socket);
    const { shimPid } = pb.ConnectResponse.decode(
      await client.call(
        'containerd.task.v2.Task',
        'Connect',
        pb.ConnectRequest.encode({ id: 'dead' }),
      ),
    );
    await client.close();
    process.kill(shimPid, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      try {
        process.kill(shimPid, 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      } catch {
        break;
      }
    }
    assert.ok(fs.existsSync(socket));
    assert.equal(
      run(['-namespace', 'ns', '-id', 'dead', '-bundle', bundle, 'delete'], bundle, env).status,
      0,
    );
    assert.ok(!fs.existsSync(socket));
  });

  it('delete answers DeleteResponse{pid 1, 137, now}, exits 0, and can run twice', () => {
    const bundle = makeBundle(root, 'd', { args: ['/x'] });
    for (let i = 0; i < 2; i++) {
      const t0 = Date.now();
      const result = run(
        ['-namespace', 'ns', '-address', '/run/test.sock', '-id', 'd', '-bundle', bundle, 'delete'],
        bundle,
        env,
      );
      assert.equal(result.status, 0, result.stderr.toString());
      assert.ok(Date.now() - t0 < 5000);
      const response = pb.DeleteResponse.decode(result.stdout);
      assert.equal(response.pid, 1);
      assert.equal(response.exitStatus, 137);
      assert.ok(Math.abs(pb.timestampToMs(response.exitedAt) - Date.now()) < 10_000);
    }
  });

  it("delete's hand-made DeleteResponse is byte for byte what the protobuf encoder gives", () => {
    for (const at of [0, 1000, 1_764_000_000_123.456, 2 ** 40 + 999.999]) {
      const seconds = Math.floor(at / 1000);
      const expected = pb.DeleteResponse.encode({
        pid: 1,
        exitStatus: 137,
        exitedAt: { seconds: BigInt(seconds), nanos: Math.round((at - seconds * 1000) * 1e6) },
      });
      assert.deepEqual(Buffer.from(encodeDeleteResponse(1, 137, at)), Buffer.from(expected));
    }
  });
});
