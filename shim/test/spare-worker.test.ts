// The spare worker: in a daemon that has run more than one worker, a container's start boots
// the next one, the next Create takes it, and an unused spare ends after its idle time so a
// quiet daemon keeps no extra thread.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { endSpareWorker, prewarmWorker, spareWorkerId } from '../task/wasm-runner';
import { makeBundle, ServedTaskService, tempDir } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shim spare worker', function () {
  this.timeout(20_000);
  let root: string;
  let served: ServedTaskService;

  before(async () => {
    root = tempDir('tswasm-spare-');
    served = new ServedTaskService(path.join(root, 'shim.sock'), 'tswasm');
    await served.start();
  });

  after(async () => {
    await served.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function run(id: string): Promise<void> {
    const bundle = makeBundle(root, id, {
      args: ['/a.wasm', '0'],
      files: { 'a.wasm': { fixture: 'shim_hello' } },
    });
    const stdout = path.join(root, `${id}.out`);
    fs.writeFileSync(stdout, '');
    await served.call('Create', { id, bundle, stdout });
    await served.call('Start', { id });
    assert.equal((await served.call('Wait', { id })).exitStatus, 0);
    assert.match(fs.readFileSync(stdout, 'utf8'), /^hello from wasm 0\n/);
    await served.call('Delete', { id });
  }

  it('boots the next spare at a start once the daemon has run two, and the next Create runs on it', async () => {
    // (a daemon's first worker boots none: most daemons host one container)
    await run('first');
    await run('second');
    const booted = spareWorkerId();
    assert.notEqual(booted, undefined, 'no spare after a second container started');
    await sleep(300); // let it warm up
    await run('third');
    // the third container took it (and its own start booted another)
    assert.notEqual(spareWorkerId(), booted);
    assert.notEqual(spareWorkerId(), undefined);
  });

  it('keeps the spare for a Create it does not suit (memory limit)', async () => {
    // the previous test leaves one; boot one when this test runs alone (--grep)
    if (spareWorkerId() === undefined) prewarmWorker('tswasm');
    const before = spareWorkerId();
    assert.notEqual(before, undefined);
    const bundle = makeBundle(root, 'limited', {
      args: ['/a.wasm', '0'],
      memoryLimit: 64 << 20,
      files: { 'a.wasm': { fixture: 'shim_hello' } },
    });
    await served.call('Create', { id: 'limited', bundle });
    assert.equal(spareWorkerId(), before);
    await served.call('Delete', { id: 'limited' });
  });

  it('ends a spare that waits past its idle time', async () => {
    endSpareWorker();
    assert.equal(spareWorkerId(), undefined);
    prewarmWorker('tswasm', 200);
    assert.notEqual(spareWorkerId(), undefined);
    await sleep(600);
    assert.equal(spareWorkerId(), undefined);
  });
});
