// The Task service driven over a real ttrpc connection, as containerd drives it, with real
// Wasm modules running in worker threads (no containerd needed).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as pb from '../../proto';
import { RpcError, StatusCode } from '../ttrpc';
import { hasStuckWorkers } from '../task/wasm-runner';
import { makeBundle, ServedTaskService, tempDir } from './harness';

const SIGKILL = 9;
const SIGTERM = 15;

async function rejectsWith(
  promise: Promise<unknown>,
  code: StatusCode,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof RpcError, `expected RpcError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

describe('shim Task service over ttrpc', function () {
  this.timeout(30_000);
  let root: string;
  let served: ServedTaskService;

  beforeEach(async () => {
    root = tempDir('tswasm-task-');
    served = new ServedTaskService(path.join(root, 'shim.sock'));
    await served.start();
  });

  afterEach(async () => {
    await served.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function outputFiles(name: string) {
    const stdout = path.join(root, `${name}.out`);
    const stderr = path.join(root, `${name}.err`);
    fs.writeFileSync(stdout, '');
    fs.writeFileSync(stderr, '');
    return { stdout, stderr };
  }

  it('runs a module the way `ctr run --rm` drives it: create, connect, wait, start, state, delete, shutdown', async () => {
    const bundle = makeBundle(root, 'hello', {
      args: ['/app.wasm', '7', 'x'],
      env: ['GREETING=hi there'],
      files: { 'app.wasm': { fixture: 'shim_hello' }, 'etc/message': 'from the rootfs\n' },
    });
    const io = outputFiles('hello');
    const created = await served.call('Create', { id: 'c1', bundle, ...io });
    assert.ok(created.pid > 0);
    const connected = await served.call('Connect', { id: 'c1' });
    assert.equal(connected.shimPid, process.pid);
    const waiting = served.call('Wait', { id: 'c1' });
    const state0 = await served.call('State', { id: 'c1' });
    assert.equal(state0.status, pb.Status.CREATED);
    const started = await served.call('Start', { id: 'c1' });
    assert.equal(started.pid, created.pid);
    const waited = await waiting;
    assert.equal(waited.exitStatus, 7);
    assert.ok(waited.exitedAt && waited.exitedAt.seconds > 0n);
    const state = await served.call('State', { id: 'c1' });
    assert.equal(state.status, pb.Status.STOPPED);
    assert.equal(state.exitStatus, 7);
    assert.equal(state.stdout, io.stdout);
    assert.equal(state.stderr, io.stderr);
    assert.equal(state.bundle, bundle);
    assert.equal(
      fs.readFileSync(io.stdout, 'utf8'),
      'hello from wasm 7 x\nGREETING=hi there\nmessage: from the rootfs\n',
    );
    assert.equal(fs.readFileSync(io.stderr, 'utf8'), 'to stderr\n');
    const deleted = await served.call('Delete', { id: 'c1' });
    assert.equal(deleted.exitStatus, 7);
    await served.call('Shutdown', { id: 'c1' });
    assert.equal(served.shutdownCalls, 1);
    assert.deepEqual(served.topics(), [
      '/tasks/create',
      '/tasks/start',
      '/tasks/exit',
      '/tasks/delete',
    ]);
    const exit = pb.TaskExit.decode(served.events[2].event);
    assert.equal(served.events[2].typeName, 'containerd.events.TaskExit');
    assert.equal(exit.containerId, 'c1');
    assert.equal(exit.id, 'c1');
    assert.equal(exit.exitStatus, 7);
    await rejectsWith(served.call('State', { id: 'c1' }), StatusCode.NotFound);
  });

  it('answers the same handlers as containerd.task.v3.Task', async () => {
    const connected = await served.call('Connect', { id: 'anything' }, 'containerd.task.v3.Task');
    assert.equal(connected.shimPid, process.pid);
  });

  it('ends proc_exit with a status WASI reserves (>= 126) as wasmtime does: 1, with the reason', async () => {
    const bundle = makeBundle(root, 'reserved', {
      args: ['/app.wasm', '200'],
      files: { 'app.wasm': { fixture: 'shim_hello' } },
    });
    const io = outputFiles('reserved');
    await served.call('Create', { id: 'reserved', bundle, ...io });
    const waiting = served.call('Wait', { id: 'reserved' });
    await served.call('Start', { id: 'reserved' });
    assert.equal((await waiting).exitStatus, 1);
    const stderr = fs.readFileSync(io.stderr, 'utf8');
    assert.match(
      stderr,
      /tswasm: \/app\.wasm: exit with invalid exit status outside of \[0\.\.126\)/,
    );
    assert.doesNotMatch(stderr, /cannot run/);
    await served.call('Delete', { id: 'reserved' });
  });

  it('ends a busy module promptly on SIGKILL (137) and SIGTERM (143)', async () => {
    for (const [id, signal, status] of [
      ['k9', SIGKILL, 137],
      ['k15', SIGTERM, 143],
    ] as const) {
      const bundle = makeBundle(root, id, {
        args: ['/loop.wasm'],
        files: { 'loop.wasm': { fixture: 'shim_loop' } },
      });
      await served.call('Create', { id, bundle, ...outputFiles(id) });
      await served.call('Start', { id });
      const waiting = served.call('Wait', { id });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await served.call('State', { id })).status, pb.Status.RUNNING);
      const pids = await served.call('Pids', { id });
      assert.ok(pids.processes.length > 0);
      const t0 = Date.now();
      await served.call('Kill', { id, signal });
      const waited = await waiting;
      assert.equal(waited.exitStatus, status);
      // ended, not left spinning (a generous bound: this is not a timing target)
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
      // the process is gone: another kill is NotFound, as containerd expects
      await rejectsWith(served.call('Kill', { id, signal: SIGKILL }), StatusCode.NotFound);
      await served.call('Delete', { id });
    }
  });

  it('ignores SIGCHLD, SIGWINCH, SIGURG and SIGCONT', async () => {
    const bundle = makeBundle(root, 'ign', {
      args: ['/loop.wasm'],
      files: { 'loop.wasm': { fixture: 'shim_loop' } },
    });
    await served.call('Create', { id: 'ign', bundle, ...outputFiles('ign') });
    await served.call('Start', { id: 'ign' });
    for (const signal of [17, 28, 23, 18]) await served.call('Kill', { id: 'ign', signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await served.call('State', { id: 'ign' })).status, pb.Status.RUNNING);
    await served.call('Kill', { id: 'ign', signal: SIGKILL });
    assert.equal((await served.call('Wait', { id: 'ign' })).exitStatus, 137);
  });

  it('reports a trap as 137 with the message and backtrace on stderr', async () => {
    const bundle = makeBundle(root, 'trap', {
      args: ['/trap.wasm'],
      files: { 'trap.wasm': { fixture: 'shim_trap' } },
    });
    const io = outputFiles('trap');
    await served.call('Create', { id: 'trap', bundle, ...io });
    const waiting = served.call('Wait', { id: 'trap' });
    await served.call('Start', { id: 'trap' });
    assert.equal((await waiting).exitStatus, 137);
    assert.equal(fs.readFileSync(io.stdout, 'utf8'), 'about to trap\n');
    const stderr = fs.readFileSync(io.stderr, 'utf8');
    assert.match(stderr, /wasm trap: .*unreachable/i);
    assert.match(stderr, /wasm/);
    assert.ok(stderr.split('\n').length > 3, `expected a backtrace, got: ${stderr}`);
  });

  it('ends a created task killed before start with 137, and deletes it', async () => {
    const bundle = makeBundle(root, 'early', {
      args: ['/a.wasm'],
      files: { 'a.wasm': { fixture: 'shim_hello' } },
    });
    await served.call('Create', { id: 'early', bundle, ...outputFiles('early') });
    const waiting = served.call('Wait', { id: 'early' });
    await served.call('Kill', { id: 'early', signal: SIGKILL });
    const waited = await waiting;
    assert.equal(waited.exitStatus, 137);
    assert.ok(waited.exitedAt);
    assert.equal((await served.call('State', { id: 'early' })).status, pb.Status.STOPPED);
    await rejectsWith(
      served.call('Start', { id: 'early' }),
      StatusCode.FailedPrecondition,
      /cannot start a stopped process/,
    );
    await served.call('Delete', { id: 'early' });
    assert.deepEqual(served.topics(), ['/tasks/create', '/tasks/exit', '/tasks/delete']);
  });

  it('deletes a never-started task and releases its pending Wait', async () => {
    const bundle = makeBundle(root, 'never', {
      args: ['/a.wasm'],
      files: { 'a.wasm': { fixture: 'shim_hello' } },
    });
    await served.call('Create', { id: 'never', bundle, ...outputFiles('never') });
    const waiting = served.call('Wait', { id: 'never' });
    await served.call('Delete', { id: 'never' });
    const waited = await waiting;
    assert.ok(waited.exitedAt);
    await rejectsWith(served.call('Wait', { id: 'never' }), StatusCode.NotFound);
  });

  it('refuses a second Create with the same id and a running task Delete', async () => {
    const bundle = makeBundle(root, 'dup', {
      args: ['/loop.wasm'],
      files: { 'loop.wasm': { fixture: 'shim_loop' } },
    });
    await served.call('Create', { id: 'dup', bundle, ...outputFiles('dup') });
    await rejectsWith(served.call('Create', { id: 'dup', bundle }), StatusCode.AlreadyExists);
    await served.call('Start', { id: 'dup' });
    await rejectsWith(
      served.call('Delete', { id: 'dup' }),
      StatusCode.FailedPrecondition,
      /cannot delete a running process/,
    );
    await served.call('Kill', { id: 'dup', signal: SIGKILL });
    await served.call('Wait', { id: 'dup' });
  });

  it('fails Create with a message naming the file when the entry is not Wasm', async () => {
    const bundle = makeBundle(root, 'native', {
      args: ['/bin/app'],
      files: { 'bin/app': '\x7fELF not wasm' },
    });
    await rejectsWith(
      served.call('Create', { id: 'native', bundle }),
      StatusCode.InvalidArgument,
      /entry \/bin\/app .*is not a WebAssembly module/,
    );
    await rejectsWith(served.call('State', { id: 'native' }), StatusCode.NotFound);
  });

  it('emulates the CRI sandbox container: running until killed, 0 on SIGTERM, 137 on SIGKILL', async () => {
    for (const [id, signal, status] of [
      ['sb-term', SIGTERM, 0],
      ['sb-kill', SIGKILL, 137],
    ] as const) {
      const bundle = makeBundle(root, id, {
        args: ['/pause'],
        annotations: {
          'io.kubernetes.cri.container-type': 'sandbox',
          'io.kubernetes.cri.sandbox-id': id,
        },
      });
      await served.call('Create', { id, bundle });
      await served.call('Start', { id });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal((await served.call('State', { id })).status, pb.Status.RUNNING);
      await served.call('Kill', { id, signal });
      assert.equal((await served.call('Wait', { id })).exitStatus, status);
      await served.call('Delete', { id });
    }
  });

  it('runs an exec in the container, with exec events and the exec id on its exit', async () => {
    const bundle = makeBundle(root, 'ex', {
      args: ['/loop.wasm'],
      files: { 'loop.wasm': { fixture: 'shim_loop' }, 'bin/hello': { fixture: 'shim_hello' } },
    });
    await served.call('Create', { id: 'ex', bundle, ...outputFiles('ex') });
    await served.call('Start', { id: 'ex' });
    const io = outputFiles('ex-e1');
    const spec = { args: ['hello', '5'], env: ['PATH=/bin'], cwd: '/' };
    await served.call('Exec', {
      id: 'ex',
      execId: 'e1',
      ...io,
      spec: {
        typeUrl: 'types.containerd.io/opencontainers/runtime-spec/1/Process',
        value: Buffer.from(JSON.stringify(spec)),
      },
    });
    await rejectsWith(
      served.call('Exec', {
        id: 'ex',
        execId: 'e1',
        spec: { typeUrl: 'x', value: Buffer.from('{"args":["hello"]}') },
      }),
      StatusCode.AlreadyExists,
    );
    const waiting = served.call('Wait', { id: 'ex', execId: 'e1' });
    const started = await served.call('Start', { id: 'ex', execId: 'e1' });
    assert.ok(started.pid > 0);
    assert.equal((await waiting).exitStatus, 5);
    assert.equal(fs.readFileSync(io.stdout, 'utf8'), 'hello from wasm 5\n');
    const execState = await served.call('State', { id: 'ex', execId: 'e1' });
    assert.equal(execState.status, pb.Status.STOPPED);
    assert.equal(execState.execId, 'e1');
    await served.call('Delete', { id: 'ex', execId: 'e1' });
    await rejectsWith(served.call('State', { id: 'ex', execId: 'e1' }), StatusCode.NotFound);
    const exits = served.events
      .filter((e) => e.topic === '/tasks/exit')
      .map((e) => pb.TaskExit.decode(e.event));
    assert.deepEqual(
      exits.map((e) => [e.containerId, e.id, e.exitStatus]),
      [['ex', 'e1', 5]],
    );
    assert.deepEqual(
      served.topics().filter((t) => t.startsWith('/tasks/exec')),
      ['/tasks/exec-added', '/tasks/exec-started'],
    );
    await served.call('Kill', { id: 'ex', signal: SIGKILL });
    await served.call('Wait', { id: 'ex' });
  });

  it('returns cgroups metrics with the module memory', async () => {
    const bundle = makeBundle(root, 'st', {
      args: ['/sleep.wasm'],
      files: { 'sleep.wasm': { fixture: 'shim_sleep' } },
    });
    await served.call('Create', { id: 'st', bundle, ...outputFiles('st') });
    await served.call('Start', { id: 'st' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const { stats } = await served.call('Stats', { id: 'st' });
    assert.ok(stats);
    const cgroup2 = fs.statfsSync('/sys/fs/cgroup').type === 0x63677270;
    if (cgroup2) {
      assert.equal(stats.typeUrl, 'io.containerd.cgroups.v2.Metrics');
      assert.ok(pb.cgroupsV2.Metrics.decode(stats.value).memory!.usage > 65536n);
    } else {
      assert.equal(stats.typeUrl, 'io.containerd.cgroups.v1.Metrics');
      const metrics = pb.cgroupsV1.Metrics.decode(stats.value);
      assert.ok(metrics.memory!.usage!.usage >= 65536n, `memory ${metrics.memory!.usage!.usage}`);
      assert.ok(metrics.cpu!.usage!.total > 0n);
    }
    await served.call('Kill', { id: 'st', signal: SIGTERM });
    assert.equal((await served.call('Wait', { id: 'st' })).exitStatus, 143);
  });

  it('ends a module past its memory limit and publishes /tasks/oom', async () => {
    const bundle = makeBundle(root, 'oom', {
      args: ['/grow.wasm'],
      memoryLimit: 32 << 20,
      files: { 'grow.wasm': { fixture: 'shim_grow' } },
    });
    await served.call('Create', { id: 'oom', bundle, ...outputFiles('oom') });
    await served.call('Start', { id: 'oom' });
    const waited = await served.call('Wait', { id: 'oom' });
    assert.equal(waited.exitStatus, 137);
    const oom = await served.waitForEvent('/tasks/oom');
    assert.equal(pb.TaskOOM.decode(oom.event).containerId, 'oom');
    const topics = served.topics();
    assert.ok(topics.indexOf('/tasks/oom') < topics.indexOf('/tasks/exit'));
  });

  it('applies a memory limit set by Update', async () => {
    const bundle = makeBundle(root, 'upd', {
      args: ['/grow.wasm'],
      files: { 'grow.wasm': { fixture: 'shim_grow' } },
    });
    await served.call('Create', { id: 'upd', bundle, ...outputFiles('upd') });
    const resources = { memory: { limit: 24 << 20 } };
    await served.call('Update', {
      id: 'upd',
      resources: {
        typeUrl: 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources',
        value: Buffer.from(JSON.stringify(resources)),
      },
    });
    await served.call('Start', { id: 'upd' });
    assert.equal((await served.call('Wait', { id: 'upd' })).exitStatus, 137);
    assert.ok(served.topics().includes('/tasks/oom'));
  });

  it('writes output to file:// log URIs', async () => {
    const bundle = makeBundle(root, 'logf', {
      args: ['/a.wasm', '0'],
      files: { 'a.wasm': { fixture: 'shim_hello' } },
    });
    const log = path.join(root, 'logs', 'out.log');
    const uri = `file://${log}`;
    await served.call('Create', { id: 'logf', bundle, stdout: uri, stderr: uri });
    await served.call('Start', { id: 'logf' });
    assert.equal((await served.call('Wait', { id: 'logf' })).exitStatus, 0);
    const text = fs.readFileSync(log, 'utf8');
    assert.match(text, /hello from wasm 0\n/);
    assert.match(text, /to stderr\n/);
    assert.equal((await served.call('State', { id: 'logf' })).stdout, uri);
  });

  it('hands output to a binary:// logging binary', async () => {
    const bundle = makeBundle(root, 'logb', {
      args: ['/a.wasm', '0'],
      files: { 'a.wasm': { fixture: 'shim_hello' } },
    });
    const logger = path.join(root, 'logger.sh');
    const out = path.join(root, 'logged');
    // containerd's protocol: stdout on fd 3, stderr on fd 4, query parameters as -key value
    fs.writeFileSync(
      logger,
      '#!/bin/sh\necho "$CONTAINER_NAMESPACE/$CONTAINER_ID" > "$2.id"\ncat <&3 > "$2.out" & cat <&4 > "$2.err"; wait\n',
      { mode: 0o755 },
    );
    const uri = `binary://${logger}?path=${encodeURIComponent(out)}`;
    await served.call('Create', { id: 'logb', bundle, stdout: uri, stderr: uri });
    await served.call('Start', { id: 'logb' });
    assert.equal((await served.call('Wait', { id: 'logb' })).exitStatus, 0);
    const deadline = Date.now() + 5000;
    const logged = () =>
      /to stderr/.test(readOrEmpty(`${out}.err`)) && /wasm/.test(readOrEmpty(`${out}.out`));
    while (Date.now() < deadline && !logged())
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(readOrEmpty(`${out}.out`), /hello from wasm 0\n/);
    assert.equal(readOrEmpty(`${out}.err`), 'to stderr\n');
    assert.equal(readOrEmpty(`${out}.id`), 'test/logb\n');
  });

  it('reads stdin from a FIFO until CloseIO', async () => {
    const bundle = makeBundle(root, 'cat', {
      args: ['/cat.wasm'],
      files: { 'cat.wasm': { fixture: 'shim_cat' } },
    });
    const stdin = path.join(root, 'cat.in');
    assert.equal(spawnSync('mkfifo', [stdin]).status, 0);
    const io = outputFiles('cat');
    await served.call('Create', { id: 'cat', bundle, stdin, ...io });
    await served.call('Start', { id: 'cat' });
    // the client side: write, close, then CloseIO as containerd does
    const writer = fs.openSync(stdin, fs.constants.O_RDWR);
    fs.writeSync(writer, 'piped text\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    fs.closeSync(writer);
    await served.call('CloseIO', { id: 'cat', stdin: true });
    const waited = await served.call('Wait', { id: 'cat' });
    assert.equal(waited.exitStatus, 0);
    assert.equal(fs.readFileSync(io.stdout, 'utf8'), 'piped text\n[eof]\n');
  });

  it('kills a module blocked reading stdin promptly, leaving no stuck worker', async () => {
    const bundle = makeBundle(root, 'catk', {
      args: ['/cat.wasm'],
      files: { 'cat.wasm': { fixture: 'shim_cat' } },
    });
    const stdin = path.join(root, 'catk.in');
    assert.equal(spawnSync('mkfifo', [stdin]).status, 0);
    await served.call('Create', { id: 'catk', bundle, stdin, ...outputFiles('catk') });
    await served.call('Start', { id: 'catk' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await served.call('Kill', { id: 'catk', signal: SIGKILL });
    assert.equal((await served.call('Wait', { id: 'catk' })).exitStatus, 137);
    // killed for real, not given up on after the grace period
    assert.equal(hasStuckWorkers(), false);
  });

  it('gives EOF on stdin when CloseIO comes before the module reads, with no writer left', async () => {
    const bundle = makeBundle(root, 'cat0', {
      args: ['/cat.wasm'],
      files: { 'cat.wasm': { fixture: 'shim_cat' } },
    });
    const stdin = path.join(root, 'cat0.in');
    assert.equal(spawnSync('mkfifo', [stdin]).status, 0);
    const io = outputFiles('cat0');
    await served.call('Create', { id: 'cat0', bundle, stdin, ...io });
    await served.call('CloseIO', { id: 'cat0', stdin: true });
    await served.call('Start', { id: 'cat0' });
    const waited = await served.call('Wait', { id: 'cat0' });
    assert.equal(waited.exitStatus, 0);
    assert.equal(fs.readFileSync(io.stdout, 'utf8'), '[eof]\n');
  });

  it('pauses and resumes a running module where it was', async function () {
    const bundle = makeBundle(root, 'pz', {
      args: ['/loop.wasm'],
      files: { 'loop.wasm': { fixture: 'shim_loop' } },
    });
    await served.call('Create', { id: 'pz', bundle, ...outputFiles('pz') });
    await served.call('Start', { id: 'pz' });
    await served.call('Pause', { id: 'pz' });
    assert.equal((await served.call('State', { id: 'pz' })).status, pb.Status.PAUSED);
    await served.call('Resume', { id: 'pz' });
    assert.equal((await served.call('State', { id: 'pz' })).status, pb.Status.RUNNING);
    assert.deepEqual(
      served.topics().filter((t) => t === '/tasks/paused' || t === '/tasks/resumed'),
      ['/tasks/paused', '/tasks/resumed'],
    );
    await served.call('Kill', { id: 'pz', signal: SIGKILL });
    assert.equal((await served.call('Wait', { id: 'pz' })).exitStatus, 137);
  });

  it('answers Unimplemented for ResizePty and Checkpoint, NotFound for unknown ids', async () => {
    const bundle = makeBundle(root, 'u', {
      args: ['/a.wasm'],
      files: { 'a.wasm': { fixture: 'shim_hello' } },
    });
    await served.call('Create', { id: 'u', bundle, ...outputFiles('u') });
    await rejectsWith(
      served.call('ResizePty', { id: 'u', width: 80, height: 24 }),
      StatusCode.Unimplemented,
      /pseudo-terminal/,
    );
    await rejectsWith(
      served.call('Checkpoint', { id: 'u', path: '/tmp/x' }),
      StatusCode.Unimplemented,
      /checkpoint/,
    );
    await rejectsWith(
      served.call('Start', { id: 'nope' }),
      StatusCode.NotFound,
      /container nope not found/,
    );
    await rejectsWith(served.call('Kill', { id: 'nope', signal: 9 }), StatusCode.NotFound);
    // Shutdown with a container left keeps the daemon
    await served.call('Shutdown', { id: 'u' });
    assert.equal(served.shutdownCalls, 0);
    await served.call('Delete', { id: 'u' });
    await served.call('Shutdown', { id: 'u' });
    assert.equal(served.shutdownCalls, 1);
  });
});
