// The V8 fallback engine (TSWASM_ENGINE=v8): modules run, busy ones are stopped by
// terminating the worker and paused in V8's debugger as on tswasm's engine, and the memory
// limit still holds.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as pb from '../../proto';
import { makeBundle, ServedTaskService, tempDir } from './harness';

describe('shim Task service on the V8 fallback engine', function () {
  this.timeout(30_000);
  let root: string;
  let served: ServedTaskService;

  before(async () => {
    root = tempDir('tswasm-v8-');
    served = new ServedTaskService(path.join(root, 'shim.sock'), 'v8');
    await served.start();
  });

  after(async () => {
    await served.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs a module to its exit code, with its output', async () => {
    const bundle = makeBundle(root, 'h', {
      args: ['/a.wasm', '9'],
      files: { 'a.wasm': { fixture: 'shim_hello' } },
    });
    const stdout = path.join(root, 'h.out');
    fs.writeFileSync(stdout, '');
    await served.call('Create', { id: 'h', bundle, stdout });
    await served.call('Start', { id: 'h' });
    assert.equal((await served.call('Wait', { id: 'h' })).exitStatus, 9);
    assert.match(fs.readFileSync(stdout, 'utf8'), /^hello from wasm 9\n/);
  });

  it('pauses and resumes a busy module, and stops it with SIGTERM (143)', async () => {
    const bundle = makeBundle(root, 'l', {
      args: ['/l.wasm'],
      files: { 'l.wasm': { fixture: 'shim_loop' } },
    });
    await served.call('Create', { id: 'l', bundle });
    await served.call('Start', { id: 'l' });
    await served.call('Pause', { id: 'l' });
    assert.equal((await served.call('State', { id: 'l' })).status, pb.Status.PAUSED);
    await served.call('Resume', { id: 'l' });
    assert.equal((await served.call('State', { id: 'l' })).status, pb.Status.RUNNING);
    const t0 = Date.now();
    await served.call('Kill', { id: 'l', signal: 15 });
    assert.equal((await served.call('Wait', { id: 'l' })).exitStatus, 143);
    assert.ok(Date.now() - t0 < 3000);
  });

  it('ends a module past its memory limit with 137 and /tasks/oom', async () => {
    const bundle = makeBundle(root, 'g', {
      args: ['/g.wasm'],
      memoryLimit: 16 << 20,
      files: { 'g.wasm': { fixture: 'shim_grow' } },
    });
    await served.call('Create', { id: 'g', bundle });
    await served.call('Start', { id: 'g' });
    assert.equal((await served.call('Wait', { id: 'g' })).exitStatus, 137);
    assert.ok(served.topics().includes('/tasks/oom'));
  });
});
