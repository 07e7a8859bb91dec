// `start` and `delete` through the real binary, as containerd runs them (no containerd needed):
// the printed address, the address file, daemon reuse within a group, and DeleteResponse.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as pb from '../../proto';
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
});
