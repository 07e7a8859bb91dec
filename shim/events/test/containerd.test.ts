// EventPublisher against a real containerd (a private instance in a temporary folder): the
// events it forwards over ttrpc are accepted, decoded by containerd, and seen by `ctr events`.
// Skipped when containerd or ctr is missing, or when not running as root.
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TaskExit, TaskStart, timestampFromMs } from '../../../proto';
import { TtrpcClient } from '../../ttrpc/client';
import { socketAnswers } from '../../ttrpc/socket';
import { sleep, tempSocketDir } from '../../ttrpc/test/helpers';
import { EventPublisher } from '../publisher';

const CONTAINERD = '/usr/bin/containerd';
const CTR = '/usr/bin/ctr';
const available = fs.existsSync(CONTAINERD) && fs.existsSync(CTR) && process.getuid?.() === 0;

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

(available ? describe : describe.skip)('EventPublisher with a real containerd', function () {
  this.timeout(20_000);
  let cleanup: () => void;
  let dir: string;
  let containerd: ChildProcess | undefined;
  let events: ChildProcess | undefined;
  let seen = '';

  before(async () => {
    ({ dir, cleanup } = tempSocketDir());
    const config = path.join(dir, 'config.toml');
    fs.writeFileSync(
      config,
      [
        'version = 2',
        `root = "${dir}/root"`,
        `state = "${dir}/state"`,
        // only what events need: no CRI, no snapshotters that probe the host
        'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",',
        '  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",',
        '  "io.containerd.snapshotter.v1.aufs"]',
        '[grpc]',
        `  address = "${dir}/c.sock"`,
        '',
      ].join('\n'),
    );
    containerd = spawn(CONTAINERD, ['--config', config], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await socketAnswers(`${dir}/c.sock.ttrpc`))) {
      if (Date.now() > deadline) throw new Error('containerd did not start');
      await sleep(50);
    }
    events = spawn(CTR, ['--address', `${dir}/c.sock`, 'events'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    events.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    events.stderr?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    await sleep(300); // let ctr subscribe
  });

  after(async () => {
    await stop(events);
    await stop(containerd);
    cleanup();
  });

  it('forwards task events that containerd decodes and delivers to subscribers', async () => {
    const errors: string[] = [];
    const publisher = new EventPublisher(`unix://${dir}/c.sock.ttrpc`, 'tswasm-test', {
      onError: (err) => errors.push(err.message),
    });
    publisher.publish(
      '/tasks/start',
      TaskStart.typeName,
      TaskStart.encode({ containerId: 'c1', pid: 77 }),
    );
    publisher.publish(
      '/tasks/exit',
      TaskExit.typeName,
      TaskExit.encode({
        containerId: 'c1',
        id: 'c1',
        pid: 77,
        exitStatus: 3,
        exitedAt: timestampFromMs(),
      }),
    );
    await publisher.close();
    assert.deepEqual(errors, []);
    const deadline = Date.now() + 5000;
    while (!seen.includes('/tasks/exit') && Date.now() < deadline) await sleep(20);
    const lines = seen.split('\n').filter((l) => l.includes('tswasm-test'));
    assert.equal(lines.length, 2, seen);
    assert.match(lines[0], /tswasm-test \/tasks\/start \{"container_id":"c1","pid":77\}/);
    assert.match(
      lines[1],
      /\/tasks\/exit \{"container_id":"c1","id":"c1","pid":77,"exit_status":3,"exited_at":/,
    );
  });

  it("gets containerd/ttrpc's own Unimplemented answers", async () => {
    const client = await TtrpcClient.connect(`${dir}/c.sock.ttrpc`);
    await assert.rejects(client.call('no.such.Service', 'Call', new Uint8Array(0)), {
      code: 12,
      message: 'service no.such.Service',
    });
    await assert.rejects(
      client.call('containerd.services.events.ttrpc.v1.Events', 'Nope', new Uint8Array(0)),
      { code: 12, message: 'method Nope' },
    );
    await client.close();
  });
});
