// bin/containerd-shim-tswasm-v1, the sh launcher: the start and delete cases it answers itself
// give what the Node binary gives (same socket, address file, DeleteResponse), without starting
// Node for themselves; every other case reaches Node. A `node` on PATH that logs its command
// lines shows which Node processes each call started.
import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as pb from '../../proto';
import { socketPathFor } from '../manager/group';
import { sparePathFor } from '../manager/spare';
import { TtrpcClient } from '../ttrpc';
import { makeBundle, repo, tempDir } from './harness';

const launcher = path.join(repo, 'bin', 'containerd-shim-tswasm-v1');
const address = '/run/test.sock';

describe('bin/containerd-shim-tswasm-v1 (the sh launcher)', function () {
  this.timeout(30_000);
  let root: string;
  let nodeLog: string;
  let env: NodeJS.ProcessEnv;
  const sockets = new Set<string>();

  before(() => {
    root = tempDir('tswasm-launch-');
    nodeLog = path.join(root, 'node.log');
    const bin = path.join(root, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'node'),
      `#!/bin/sh\necho "$*" >>'${nodeLog}'\nexec '${process.execPath}' "$@"\n`,
      { mode: 0o755 },
    );
    env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      TSWASM_SOCKET_DIR: path.join(root, 's'),
      TTRPC_ADDRESS: '',
    };
  });

  after(async () => {
    for (const socket of sockets) await shutdown(socket);
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Runs the launcher in `bundle`; returns its result and the Node command lines it started. */
  function run(args: string[], bundle: string, extraEnv: NodeJS.ProcessEnv = {}) {
    fs.rmSync(nodeLog, { force: true });
    const result = spawnSync(launcher, args, {
      cwd: bundle,
      env: { ...env, ...extraEnv },
      input: 'options',
      timeout: 20_000,
    });
    const nodes = fs.existsSync(nodeLog) ? fs.readFileSync(nodeLog, 'utf8').trim().split('\n') : [];
    return { ...result, nodes };
  }

  async function shutdown(socket: string): Promise<void> {
    const client = await TtrpcClient.connect(socket).catch(() => undefined);
    await client
      ?.call('containerd.task.v2.Task', 'Shutdown', pb.ShutdownRequest.encode({ id: 'x' }))
      .catch(() => {});
    await client?.close();
    const deadline = Date.now() + 5000;
    while (fs.existsSync(socket) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
  }

  const startFlags = (id: string, ...more: string[]) => [
    '-namespace',
    'ns',
    '-address',
    address,
    '-publish-binary',
    '/usr/bin/containerd',
    '-id',
    id,
    ...more,
    'start',
  ];

  it('starts an ungrouped container with no Node but the daemon, as the Node binary would', async () => {
    const bundle = makeBundle(root, 'plain', { args: ['/x'] });
    const socket = socketPathFor(address, 'ns', 'plain', env.TSWASM_SOCKET_DIR);
    const result = run(startFlags('plain'), bundle);
    assert.equal(result.status, 0, result.stderr.toString());
    assert.equal(result.stdout.toString(), `unix://${socket}`);
    assert.equal(result.stderr.toString(), '');
    assert.equal(fs.readFileSync(path.join(bundle, 'address'), 'utf8'), `unix://${socket}`);
    sockets.add(socket);
    // listening when start returns, mode 0600, and the one Node process is the daemon
    assert.equal(fs.statSync(socket).mode & 0o777, 0o600);
    assert.equal(result.nodes.length, 1, result.nodes.join('\n'));
    assert.match(
      result.nodes[0],
      /cached-boot\.js .*containerd-shim-tswasm-v1-daemon\.js .* serve$/,
    );
    const client = await TtrpcClient.connect(socket);
    const connected = pb.ConnectResponse.decode(
      await client.call(
        'containerd.task.v2.Task',
        'Connect',
        pb.ConnectRequest.encode({ id: 'plain' }),
      ),
    );
    await client.close();
    // detached: a session of its own, not in start's
    const stat = fs.readFileSync(`/proc/${connected.shimPid}/stat`, 'utf8');
    const sessionId = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
    assert.equal(sessionId, connected.shimPid);
    // the Node binary, asked the same, finds that daemon and prints the same address
    const again = run(startFlags('plain'), bundle, { TSWASM_SHIM_LAUNCHER: 'node' });
    assert.equal(again.stdout.toString(), `unix://${socket}`);
    assert.match(again.nodes.join('\n'), /containerd-shim-tswasm-v1\.js/);
  });

  it('takes Go flag forms (-x=v, --x v, -debug) on its own path', () => {
    const bundle = makeBundle(root, 'forms', { args: ['/x'] });
    const socket = socketPathFor(address, 'ns', 'forms', env.TSWASM_SOCKET_DIR);
    const result = run(
      ['--namespace', 'ns', `-address=${address}`, '-id=forms', '-debug', 'start'],
      bundle,
    );
    assert.equal(result.status, 0, result.stderr.toString());
    sockets.add(socket);
    assert.equal(result.stdout.toString(), `unix://${socket}`);
    assert.equal(result.nodes.length, 1);
    assert.match(result.nodes[0], / -debug serve$/);
  });

  it('leaves groups, existing sockets, unknown flags and gRPC to the Node binary', async () => {
    const sandbox = { 'io.kubernetes.cri.sandbox-id': 'pod' };
    const a = makeBundle(root, 'ga', { args: ['/x'], annotations: sandbox });
    const b = makeBundle(root, 'gb', { args: ['/x'], annotations: sandbox });
    const first = run(startFlags('ga'), a);
    assert.equal(first.status, 0, first.stderr.toString());
    assert.match(first.nodes[0], /containerd-shim-tswasm-v1\.js .* start$/);
    const socket = socketPathFor(address, 'ns', 'pod', env.TSWASM_SOCKET_DIR);
    sockets.add(socket);
    assert.equal(first.stdout.toString(), `unix://${socket}`);
    // same sandbox: the same daemon
    assert.equal(run(startFlags('gb'), b).stdout.toString(), `unix://${socket}`);
    // flags it does not know, and gRPC
    const other = makeBundle(root, 'other', { args: ['/x'] });
    const unknown = run(startFlags('other', '-frobnicate'), other);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr.toString(), /flag provided but not defined: -frobnicate/);
    const grpc = run(startFlags('other'), other, {
      TSWASM_SHIM_PROTOCOL: 'grpc',
      MAX_SHIM_VERSION: '3',
    });
    assert.equal(grpc.status, 0, grpc.stderr.toString());
    assert.match(grpc.nodes[0], /containerd-shim-tswasm-v1\.js/);
    // that daemon speaks gRPC only: shut it down over gRPC
    const grpcJs = await import('@grpc/grpc-js');
    const { address: grpcSocket } = JSON.parse(grpc.stdout.toString()) as { address: string };
    const client = new grpcJs.Client(`unix:${grpcSocket}`, grpcJs.credentials.createInsecure());
    await new Promise((resolve) =>
      client.makeUnaryRequest(
        '/containerd.task.v2.Task/Shutdown',
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        pb.ShutdownRequest.encode({ id: 'other' }),
        resolve,
      ),
    );
    client.close();
  });

  it('fails at once, with a message, when the daemon dies before listening', () => {
    const bundle = makeBundle(root, 'dies', { args: ['/x'] });
    // the socket folder cannot be made: its parent is a file
    const blocked = path.join(root, 'a-file');
    fs.writeFileSync(blocked, '');
    for (const launcherEnv of [{}, { TSWASM_SHIM_LAUNCHER: 'node' }]) {
      const result = run(startFlags('dies'), bundle, {
        ...launcherEnv,
        TSWASM_SOCKET_DIR: path.join(blocked, 's'),
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr.toString(), /exited.*before listening/);
      assert.equal(result.stdout.toString(), '');
    }
  });

  it('answers delete without Node when the daemon is gone, with the DeleteResponse Node gives', () => {
    const bundle = makeBundle(root, 'del', { args: ['/x'] });
    fs.writeFileSync(path.join(bundle, 'address'), `unix://${path.join(root, 's', 'gone')}`);
    const flags = ['-namespace', 'ns', '-address', address, '-id', 'del', '-bundle', bundle];
    const decoded = [];
    for (const launcherEnv of [{}, { TSWASM_SHIM_LAUNCHER: 'node' }]) {
      const before = Date.now();
      const result = run([...flags, 'delete'], bundle, launcherEnv);
      assert.equal(result.status, 0, result.stderr.toString());
      assert.equal(result.stderr.toString(), '');
      const response = pb.DeleteResponse.decode(result.stdout);
      assert.equal(response.pid, 1);
      assert.equal(response.exitStatus, 137);
      const at = pb.timestampToMs(response.exitedAt);
      assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `exited_at ${at}`);
      // re-encoded by protobufjs, byte for byte: no field the decoder skipped
      assert.deepEqual(Buffer.from(pb.DeleteResponse.encode(response)), result.stdout);
      decoded.push(result.nodes.length);
    }
    assert.deepEqual(decoded, [0, 1]);
  });

  it('with TSWASM_SHIM_SPARE=1, claims the spare a daemon boots at its first Create (sh and Node), and only a live one', async () => {
    const spareEnv = { TSWASM_SHIM_SPARE: '1' };
    const spare = sparePathFor(address, 'ns', env);
    const files = { 'hello.wasm': { fixture: 'shim_hello' } };
    const until = async (what: string, test: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const create = async (socket: string, id: string, bundle: string) => {
      const client = await TtrpcClient.connect(socket);
      const { shimPid } = pb.ConnectResponse.decode(
        await client.call('containerd.task.v2.Task', 'Connect', pb.ConnectRequest.encode({ id })),
      );
      await client.call(
        'containerd.task.v2.Task',
        'Create',
        pb.CreateTaskRequest.encode({ id, bundle }),
      );
      await client.close();
      return shimPid;
    };
    // no spare yet: a daemon boots as usual; its first Create boots the spare
    const a = makeBundle(root, 'sa', { args: ['/hello.wasm'], files });
    const first = run(startFlags('sa'), a, spareEnv);
    assert.equal(first.status, 0, first.stderr.toString());
    const socketA = first.stdout.toString().slice('unix://'.length);
    sockets.add(socketA);
    await create(socketA, 'sa', a);
    await until('the spare', () => fs.existsSync(`${spare}.pid`));
    const sparePid = Number(fs.readFileSync(`${spare}.pid`, 'utf8'));
    // the next start takes it: no Node at all, the spare's socket renamed to the container's
    const b = makeBundle(root, 'sb', { args: ['/hello.wasm'], files });
    const second = run(startFlags('sb'), b, spareEnv);
    assert.equal(second.status, 0, second.stderr.toString());
    assert.deepEqual(second.nodes, []);
    const socketB = socketPathFor(address, 'ns', 'sb', env.TSWASM_SOCKET_DIR);
    sockets.add(socketB);
    assert.equal(second.stdout.toString(), `unix://${socketB}`);
    assert.equal(fs.readFileSync(path.join(b, 'address'), 'utf8'), `unix://${socketB}`);
    assert.ok(!fs.existsSync(spare));
    // it serves the container, as the daemon it is, and boots the next spare
    assert.equal(await create(socketB, 'sb', b), sparePid);
    await until('the next spare', () => fs.existsSync(spare) && fs.existsSync(`${spare}.pid`));
    const secondPid = Number(fs.readFileSync(`${spare}.pid`, 'utf8'));
    assert.notEqual(secondPid, sparePid);
    // the Node binary claims a spare the same way
    const n = makeBundle(root, 'sn', { args: ['/hello.wasm'], files });
    const viaNode = run(startFlags('sn'), n, { ...spareEnv, TSWASM_SHIM_LAUNCHER: 'node' });
    assert.equal(viaNode.status, 0, viaNode.stderr.toString());
    assert.equal(viaNode.nodes.length, 1);
    const socketN = socketPathFor(address, 'ns', 'sn', env.TSWASM_SOCKET_DIR);
    sockets.add(socketN);
    assert.equal(viaNode.stdout.toString(), `unix://${socketN}`);
    assert.equal(await create(socketN, 'sn', n), secondPid);
    await until('the third spare', () => fs.existsSync(spare) && fs.existsSync(`${spare}.pid`));
    const nextPid = Number(fs.readFileSync(`${spare}.pid`, 'utf8'));
    assert.notEqual(nextPid, secondPid);
    // a spare that was killed leaves its socket and pid file: start does not claim it
    process.kill(nextPid, 'SIGKILL');
    await until('the spare to die', () => {
      try {
        process.kill(nextPid, 0);
        return false;
      } catch {
        return true;
      }
    });
    const c = makeBundle(root, 'sc', { args: ['/hello.wasm'], files });
    const third = run(startFlags('sc'), c, spareEnv);
    assert.equal(third.status, 0, third.stderr.toString());
    assert.equal(third.nodes.length, 1);
    assert.match(third.nodes[0], /containerd-shim-tswasm-v1-daemon\.js/);
    sockets.add(socketPathFor(address, 'ns', 'sc', env.TSWASM_SOCKET_DIR));
    // the daemons must end: delete their containers (Shutdown alone keeps a daemon that has some)
    for (const [socket, id] of [
      [socketA, 'sa'],
      [socketB, 'sb'],
      [socketN, 'sn'],
    ]) {
      const client = await TtrpcClient.connect(socket);
      await client.call('containerd.task.v2.Task', 'Delete', pb.DeleteRequest.encode({ id }));
      await client.close();
    }
    fs.rmSync(spare, { force: true });
    fs.rmSync(`${spare}.pid`, { force: true });
  });

  it('leaves delete to Node while the socket is there or the rootfs is mounted', function () {
    const bundle = makeBundle(root, 'busy', { args: ['/x'] });
    const socket = path.join(root, 's', 'busy.sock');
    fs.mkdirSync(path.dirname(socket), { recursive: true });
    fs.writeFileSync(socket, ''); // a leftover, not a socket: Node checks and removes it
    fs.writeFileSync(path.join(bundle, 'address'), `unix://${socket}`);
    const flags = ['-namespace', 'ns', '-id', 'busy', '-bundle', bundle, 'delete'];
    const withSocket = run(flags, bundle);
    assert.equal(withSocket.status, 0, withSocket.stderr.toString());
    assert.equal(withSocket.nodes.length, 1);
    assert.ok(!fs.existsSync(socket), 'Node removed the dead socket');
    if (process.getuid?.() !== 0) return;
    const rootfs = path.join(bundle, 'rootfs');
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', rootfs]);
    try {
      const mounted = run(flags, bundle);
      assert.equal(mounted.status, 0, mounted.stderr.toString());
      assert.equal(mounted.nodes.length, 1);
      assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${rootfs} `));
    } finally {
      spawnSync('umount', [rootfs]);
    }
  });
});
