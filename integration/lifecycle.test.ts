// The life of a tswasm task driven by ctr against a real containerd: detached run, task
// ls/ps/metrics, pause and resume of a busy loop, exec, kill with SIGTERM and SIGKILL, delete;
// after the last container goes, the shim daemon exits leaving no socket, mount or process.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import {
  Containerd,
  importWasmImages,
  mountsUnder,
  sleep,
  tswasmRuntime,
  until,
  wasmImage,
  WasmProgram,
} from './harness';
import { itWith } from './pending';

describe('tswasm task lifecycle through ctr', function () {
  this.timeout(120_000);
  let containerd: Containerd;

  const runDetached = (id: string, program: WasmProgram) =>
    containerd.ctrOk(['run', '-d', '--runtime', tswasmRuntime, wasmImage(program), id]);
  /** a foreground `ctr run --rm` left running, whose output the test reads as it comes */
  const runAttached = (id: string, program: WasmProgram) =>
    containerd.ctrBackground(['run', '--rm', '--runtime', tswasmRuntime, wasmImage(program), id]);
  const lastTick = (output: string): number => {
    const ticks = [...output.matchAll(/tick (\d+)/g)];
    return ticks.length === 0 ? 0 : Number(ticks[ticks.length - 1][1]);
  };

  before(async () => {
    containerd = await Containerd.start();
    await importWasmImages(containerd);
  });
  after(async () => {
    await containerd?.stop();
  });

  itWith(
    ['detach'],
    'runs detached, lists the task, kills, deletes, and the shim leaves',
    async () => {
      await runDetached('idle-1', 'sleep');
      const task = (await containerd.tasks()).get('idle-1');
      assert.equal(task?.status, 'RUNNING', containerd.logTail());
      assert.ok(task.pid > 0, `pid ${task.pid}`);
      const address = containerd.shimAddress('idle-1');
      assert.match(address ?? '', /^unix:\/\/\/run\/containerd\/s\/[0-9a-f]{64}$/);
      const socket = address!.slice('unix://'.length);
      assert.ok(fs.existsSync(socket), `${socket} missing while the task runs`);

      const ps = await containerd.ctrOk(['task', 'ps', 'idle-1']);
      assert.match(ps.stdout, new RegExp(`^${task.pid}\\b`, 'm'), ps.stdout);

      await containerd.ctrOk(['task', 'kill', 'idle-1']); // SIGTERM by default
      await containerd.waitForStatus('idle-1', 'STOPPED');
      const deleted = await containerd.ctr(['task', 'delete', 'idle-1']);
      // ctr 1.6 reports a non-zero exit status as a warning and exits 0
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stderr, /exit code 143/, 'task delete reports the exit status');
      await containerd.ctrOk(['container', 'rm', 'idle-1']);

      await until('the shim daemon to exit', () =>
        containerd.shimProcesses().length === 0 ? true : undefined,
      );
      assert.ok(!fs.existsSync(socket), `${socket} left behind`);
      assert.deepEqual(mountsUnder(containerd.dir), []);
      assert.ok(!fs.existsSync(`${containerd.bundleRoot}/idle-1`), 'bundle left behind');
    },
  );

  itWith(['detach', 'exec'], 'deleting one task leaves its neighbours running', async () => {
    await runDetached('pair-a', 'sleep');
    await runDetached('pair-b', 'sleep');
    await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'pair-a']);
    await containerd.waitForStatus('pair-a', 'STOPPED');
    await containerd.ctr(['task', 'delete', 'pair-a']);
    await containerd.ctrOk(['container', 'rm', 'pair-a']);
    assert.equal((await containerd.tasks()).get('pair-b')?.status, 'RUNNING');
    const exec = await containerd.ctr([
      'task',
      'exec',
      '--exec-id',
      'still-there',
      'pair-b',
      '/hello.wasm',
      '0',
    ]);
    assert.equal(exec.code, 0, `${exec.stderr}\n${containerd.logTail()}`);
    assert.equal(exec.stdout, 'Hello from tswasm\narg 1: 0\n');
    await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'pair-b']);
    await containerd.waitForStatus('pair-b', 'STOPPED');
    await containerd.ctr(['task', 'delete', 'pair-b']);
    await containerd.ctrOk(['container', 'rm', 'pair-b']);
    await until('the shim daemons to exit', () =>
      containerd.shimProcesses().length === 0 ? true : undefined,
    );
  });

  itWith(['detach', 'metrics'], 'reports task metrics of the host cgroup version', async () => {
    await runDetached('metrics-1', 'busy');
    // ctr 1.6 decodes only cgroups v1 Metrics here (this host's version) and prints a table
    let last = '';
    await until(
      'metrics to show memory and CPU in use',
      async () => {
        last = (await containerd.ctrOk(['task', 'metrics', 'metrics-1'])).stdout;
        const memory = Number(/memory\.usage_in_bytes\s+(\d+)/.exec(last)?.[1] ?? 0);
        const cpu = Number(/cpuacct\.usage\s+(\d+)/.exec(last)?.[1] ?? 0);
        return memory > 0 && cpu > 0 ? true : undefined;
      },
      5000,
      250,
    ).catch((err: Error) => assert.fail(`${err.message}\n${last}`));
    assert.match(last, /metrics-1/);
    assert.match(last, /pids\.current\s+1\b/);
    await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'metrics-1']);
    await containerd.waitForStatus('metrics-1', 'STOPPED');
    await containerd.ctr(['task', 'delete', 'metrics-1']);
    await containerd.ctrOk(['container', 'rm', 'metrics-1']);
  });

  itWith(['detach', 'exec'], 'execs a second module in a running task', async () => {
    await runDetached('exec-1', 'sleep');
    const exec = await containerd.ctr(
      ['task', 'exec', '--exec-id', 'hello-exec', 'exec-1', '/hello.wasm', '5'],
      { timeoutMs: 30_000 },
    );
    assert.equal(exec.code, 5, `${exec.stdout}\n${exec.stderr}\n${containerd.logTail()}`);
    assert.equal(exec.stdout, 'Hello from tswasm\narg 1: 5\n');
    assert.equal((await containerd.tasks()).get('exec-1')?.status, 'RUNNING');
    await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'exec-1']);
    await containerd.waitForStatus('exec-1', 'STOPPED');
    await containerd.ctr(['task', 'delete', 'exec-1']);
    await containerd.ctrOk(['container', 'rm', 'exec-1']);
  });

  itWith(['run', 'pause'], 'pause stops a busy loop and resume continues it', async () => {
    const busy = runAttached('busy-pause', 'busy');
    try {
      await busy.waitForOutput(/tick 3\n/, 30_000);
      await containerd.ctrOk(['task', 'pause', 'busy-pause']);
      assert.equal((await containerd.tasks()).get('busy-pause')?.status, 'PAUSED');
      await sleep(300); // a tick already on its way may still arrive
      const pausedAt = lastTick(busy.stdout);
      await sleep(700);
      assert.equal(lastTick(busy.stdout), pausedAt, 'ticks continued while paused');
      await containerd.ctrOk(['task', 'resume', 'busy-pause']);
      assert.equal((await containerd.tasks()).get('busy-pause')?.status, 'RUNNING');
      await busy.waitForOutput(new RegExp(`tick ${pausedAt + 2}\\n`), 5000);
      await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'busy-pause']);
      const result = await busy.wait(10_000);
      assert.equal(result.code, 137, result.stderr);
    } finally {
      busy.kill();
    }
  });

  itWith(['run', 'pause', 'kill'], 'kill ends a paused busy loop promptly', async () => {
    const busy = runAttached('busy-paused-kill', 'busy');
    try {
      await busy.waitForOutput(/tick 2\n/, 30_000);
      await containerd.ctrOk(['task', 'pause', 'busy-paused-kill']);
      await sleep(300); // a tick already on its way may still arrive
      const pausedAt = lastTick(busy.stdout);
      const sent = performance.now();
      await containerd.ctrOk(['task', 'kill', '-s', 'SIGKILL', 'busy-paused-kill']);
      const result = await busy.wait(10_000);
      const ms = performance.now() - sent;
      assert.equal(result.code, 137, `${result.stderr}\n${containerd.logTail()}`);
      assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms to end a paused task`);
      assert.ok(lastTick(busy.stdout) <= pausedAt + 1, 'the killed task went on ticking');
    } finally {
      busy.kill();
    }
  });

  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGKILL', 137],
  ] as const) {
    itWith(['run', 'kill'], `${signal} ends a busy loop promptly with ${status}`, async () => {
      const id = `busy-${signal.toLowerCase()}`;
      const busy = runAttached(id, 'busy');
      try {
        await busy.waitForOutput(/tick 1\n/, 30_000);
        const sent = performance.now();
        await containerd.ctrOk(['task', 'kill', '-s', signal, id]);
        const result = await busy.wait(10_000);
        const ms = performance.now() - sent;
        assert.equal(result.code, status, `${result.stderr}\n${containerd.logTail()}`);
        assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms to end after ${signal}`);
      } finally {
        busy.kill();
      }
    });
  }
});
