// Pause, resume and kill of container workers through V8's debugger (task/worker-pause.ts):
// a paused module makes no progress whether it spins, sleeps in poll_oneoff or waits on stdin;
// it goes on where it was after Resume; Kill ends it while paused. On both engines.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as pb from '../../proto';
import { SIGKILL } from '../task/runner';
import { hasStuckWorkers } from '../task/wasm-runner';
import type { EngineName } from '../worker/engine';
import { makeBundle, ServedTaskService, tempDir } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The last "tick N" the module printed to `file` (0 before the first). */
function lastTick(file: string): number {
  const ticks = [...fs.readFileSync(file, 'utf8').matchAll(/tick (\d+)\n/g)];
  return ticks.length === 0 ? 0 : Number(ticks[ticks.length - 1][1]);
}

async function waitForTick(file: string, tick: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (lastTick(file) < tick) {
    if (Date.now() > deadline) throw new Error(`no tick ${tick} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function waitForOutput(file: string, text: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (fs.readFileSync(file, 'utf8') !== text) {
    if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

for (const engine of ['tswasm', 'v8'] as EngineName[]) {
  describe(`shim worker pause and kill (${engine} engine)`, function () {
    this.timeout(30_000);
    let root: string;
    let served: ServedTaskService;

    before(async () => {
      root = tempDir('tswasm-pause-');
      served = new ServedTaskService(path.join(root, 'shim.sock'), engine);
      await served.start();
    });

    after(async () => {
      await served.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    /** Creates and starts the ticking fixture in `mode`; returns its stdout file. */
    async function startTicks(id: string, mode: 'busy' | 'sleep'): Promise<string> {
      const bundle = makeBundle(root, id, {
        args: ['/ticks.wasm', mode],
        files: { 'ticks.wasm': { fixture: 'shim_ticks' } },
      });
      const stdout = path.join(root, `${id}.out`);
      fs.writeFileSync(stdout, '');
      await served.call('Create', { id, bundle, stdout });
      await served.call('Start', { id });
      await waitForTick(stdout, 2);
      return stdout;
    }

    for (const mode of ['busy', 'sleep'] as const) {
      it(`freezes a ${mode} module while paused and lets it go on after resume`, async () => {
        const id = `${mode}-pr`;
        const stdout = await startTicks(id, mode);
        await served.call('Pause', { id });
        assert.equal((await served.call('State', { id })).status, pb.Status.PAUSED);
        const pausedAt = lastTick(stdout);
        await sleep(400); // 8 ticks' worth
        assert.equal(lastTick(stdout), pausedAt, 'ticks went on while paused');
        await served.call('Resume', { id });
        assert.equal((await served.call('State', { id })).status, pb.Status.RUNNING);
        await waitForTick(stdout, pausedAt + 2);
        // twice: a daemon detaches from its workers after a resume and attaches again
        await served.call('Pause', { id });
        const again = lastTick(stdout);
        await sleep(300);
        assert.equal(lastTick(stdout), again, 'ticks went on while paused the second time');
        await served.call('Resume', { id });
        await waitForTick(stdout, again + 2);
        await served.call('Kill', { id, signal: SIGKILL });
        assert.equal((await served.call('Wait', { id })).exitStatus, 137);
      });
    }

    it('kills a paused module (143 on SIGTERM) without it running on', async () => {
      const id = 'kp';
      const stdout = await startTicks(id, 'busy');
      await served.call('Pause', { id });
      const pausedAt = lastTick(stdout);
      const t0 = Date.now();
      await served.call('Kill', { id, signal: 15 });
      assert.equal((await served.call('Wait', { id })).exitStatus, 143);
      // terminated, not given up on after the grace period
      assert.ok(Date.now() - t0 < 900, `the kill took ${Date.now() - t0} ms`);
      assert.equal(hasStuckWorkers(), false);
      assert.ok(lastTick(stdout) <= pausedAt + 1, 'the killed module went on ticking');
    });

    it('pauses one module while another keeps running', async () => {
      const a = await startTicks('two-a', 'sleep');
      const b = await startTicks('two-b', 'busy');
      await served.call('Pause', { id: 'two-a' });
      const pausedAt = lastTick(a);
      const runningAt = lastTick(b);
      await sleep(300);
      assert.equal(lastTick(a), pausedAt);
      assert.ok(lastTick(b) >= runningAt + 2, 'the other module stopped too');
      await served.call('Resume', { id: 'two-a' });
      await waitForTick(a, pausedAt + 2);
      for (const id of ['two-a', 'two-b']) {
        await served.call('Kill', { id, signal: SIGKILL });
        assert.equal((await served.call('Wait', { id })).exitStatus, 137);
      }
    });

    it('pauses a module blocked reading stdin: input waits for the resume', async () => {
      const bundle = makeBundle(root, 'pcat', {
        args: ['/ticks.wasm', 'echo'],
        files: { 'ticks.wasm': { fixture: 'shim_ticks' } },
      });
      const stdin = path.join(root, 'pcat.in');
      assert.equal(spawnSync('mkfifo', [stdin]).status, 0);
      const stdout = path.join(root, 'pcat.out');
      fs.writeFileSync(stdout, '');
      await served.call('Create', { id: 'pcat', bundle, stdin, stdout });
      await served.call('Start', { id: 'pcat' });
      const writer = fs.openSync(stdin, fs.constants.O_RDWR);
      fs.writeSync(writer, 'before\n');
      await waitForOutput(stdout, 'before\n');
      await served.call('Pause', { id: 'pcat' });
      assert.equal((await served.call('State', { id: 'pcat' })).status, pb.Status.PAUSED);
      fs.writeSync(writer, 'while paused\n');
      await sleep(300);
      assert.equal(fs.readFileSync(stdout, 'utf8'), 'before\n', 'the paused module copied input');
      await served.call('Resume', { id: 'pcat' });
      fs.closeSync(writer);
      await served.call('CloseIO', { id: 'pcat', stdin: true });
      assert.equal((await served.call('Wait', { id: 'pcat' })).exitStatus, 0);
      assert.equal(fs.readFileSync(stdout, 'utf8'), 'before\nwhile paused\n[eof]\n');
    });

    it('resumes a module paused while blocked reading stdin, with no input in between', async () => {
      const bundle = makeBundle(root, 'pcat2', {
        args: ['/ticks.wasm', 'echo'],
        files: { 'ticks.wasm': { fixture: 'shim_ticks' } },
      });
      const stdin = path.join(root, 'pcat2.in');
      assert.equal(spawnSync('mkfifo', [stdin]).status, 0);
      const stdout = path.join(root, 'pcat2.out');
      fs.writeFileSync(stdout, '');
      await served.call('Create', { id: 'pcat2', bundle, stdin, stdout });
      await served.call('Start', { id: 'pcat2' });
      const writer = fs.openSync(stdin, fs.constants.O_RDWR);
      await sleep(200);
      await served.call('Pause', { id: 'pcat2' });
      await served.call('Resume', { id: 'pcat2' });
      assert.equal((await served.call('State', { id: 'pcat2' })).status, pb.Status.RUNNING);
      fs.writeSync(writer, 'after\n');
      await waitForOutput(stdout, 'after\n');
      // and it pauses again, now at a break
      await served.call('Pause', { id: 'pcat2' });
      fs.writeSync(writer, 'paused\n');
      await sleep(300);
      assert.equal(fs.readFileSync(stdout, 'utf8'), 'after\n', 'the paused module copied input');
      await served.call('Resume', { id: 'pcat2' });
      await waitForOutput(stdout, 'after\npaused\n');
      fs.closeSync(writer);
      await served.call('CloseIO', { id: 'pcat2', stdin: true });
      assert.equal((await served.call('Wait', { id: 'pcat2' })).exitStatus, 0);
    });
  });
}
