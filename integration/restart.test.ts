// Surviving failures around a running tswasm task: containerd restarted (it reconnects to the
// shim; kill, output, Wait and delete still work), and the shim daemon killed (containerd runs
// the shim's `delete`, which unmounts the rootfs and reports 137).
import { strict as assert } from 'assert';
import * as path from 'path';
import {
  Containerd,
  importWasmImages,
  mountsUnder,
  sleep,
  tswasmRuntime,
  until,
  wasmImage,
} from './harness';
import { itWith } from './pending';

describe('tswasm across a containerd restart', function () {
  this.timeout(120_000);
  let containerd: Containerd;

  before(async () => {
    containerd = await Containerd.start();
    await importWasmImages(containerd);
  });
  after(async () => {
    await containerd?.stop();
  });

  itWith(
    ['detach', 'restart'],
    'reconnects to a running task, then kills and deletes it',
    async () => {
      await containerd.ctrOk([
        'run',
        '-d',
        '--runtime',
        tswasmRuntime,
        wasmImage('sleep'),
        'survivor',
      ]);
      const before = (await containerd.tasks()).get('survivor');
      assert.equal(before?.status, 'RUNNING');
      const shims = containerd.shimProcesses();
      assert.ok(shims.length > 0, 'no shim process found');

      await containerd.restart();
      const after = (await containerd.tasks()).get('survivor');
      assert.deepEqual(after, before, `task after restart\n${containerd.logTail()}`);
      for (const pid of shims)
        assert.ok(containerd.shimProcesses().includes(pid), `shim ${pid} died`);

      await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'survivor']);
      await containerd.waitForStatus('survivor', 'STOPPED');
      const deleted = await containerd.ctr(['task', 'delete', 'survivor']);
      assert.equal(deleted.code, 0, `${deleted.stderr}\n${containerd.logTail()}`);
      assert.match(deleted.stderr, /exit code 137/); // ctr 1.6 warns about a non-zero status
      await containerd.ctrOk(['container', 'rm', 'survivor']);
      await until('the shim daemon to exit', () =>
        containerd.shimProcesses().length === 0 ? true : undefined,
      );
    },
  );

  itWith(
    ['detach', 'restart'],
    'after a restart, output still flows and Wait sees the exit status',
    async () => {
      await containerd.ctrOk([
        'run',
        '-d',
        '--runtime',
        tswasmRuntime,
        wasmImage('busy'),
        'ticker',
      ]);
      await containerd.restart();
      // attach reopens the task's FIFOs and blocks in Wait until the task exits
      const attached = containerd.ctrBackground(['task', 'attach', 'ticker']);
      try {
        await attached.waitForOutput(/tick \d+\n/, 10_000);
        await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'ticker']);
        const result = await attached.wait(10_000);
        assert.equal(result.code, 137, `${result.stderr}\n${containerd.logTail()}`);
      } finally {
        attached.kill();
      }
      await containerd.ctr(['task', 'delete', 'ticker']);
      await containerd.ctrOk(['container', 'rm', 'ticker']);
      await until('the shim daemon to exit', () =>
        containerd.shimProcesses().length === 0 ? true : undefined,
      );
    },
  );

  itWith(
    ['detach'],
    'after the shim daemon is killed, delete cleans up and reports 137',
    async () => {
      const events = containerd.ctrBackground(['events']);
      try {
        await sleep(200); // let ctr events subscribe
        await containerd.ctrOk([
          'run',
          '-d',
          '--runtime',
          tswasmRuntime,
          wasmImage('sleep'),
          'crashed',
        ]);
        const rootfs = path.join(containerd.bundleRoot, 'crashed', 'rootfs');
        assert.ok(mountsUnder(containerd.dir).includes(rootfs), 'rootfs not mounted');
        const shims = containerd.shimProcesses();
        assert.ok(shims.length > 0, 'no shim process found');
        for (const pid of shims) process.kill(pid, 'SIGKILL');
        // containerd sees the connection drop and runs `containerd-shim-tswasm-v1 ... delete`
        await events.waitForOutput(
          /\/tasks\/exit \{"container_id":"crashed".*"exit_status":137/,
          10_000,
        );
        await until('the task to be gone', async () =>
          (await containerd.tasks()).has('crashed') ? undefined : true,
        );
        assert.deepEqual(mountsUnder(containerd.dir), [], 'delete left the rootfs mounted');
        await containerd.ctrOk(['container', 'rm', 'crashed']);
        assert.deepEqual(containerd.shimProcesses(), []);
      } finally {
        events.kill();
      }
    },
  );
});
