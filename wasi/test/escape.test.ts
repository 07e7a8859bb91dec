// The sandbox escape battery (fixtures/wasi_escape.c) and the check-then-use race
// (fixtures/wasi_race.c), on every engine: each attempt must fail with its errno, nothing
// outside the preopen may be read, created, changed or removed.
import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { engines, runFixture, tempDir } from './harness';

/** Lays out a sandbox full of traps next to an "outside" holding a secret. */
function layout(): { root: string; sandbox: string; outside: string } {
  const root = tempDir('escape');
  const sandbox = path.join(root, 'sandbox');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(path.join(sandbox, 'sub'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'SECRET outside\n');
  fs.symlinkSync('secret.txt', path.join(outside, 'link'));
  fs.writeFileSync(path.join(sandbox, 'file_at_root.txt'), 'root file\n');
  fs.writeFileSync(path.join(sandbox, 'sub', 'file.txt'), 'inside\n');
  const links: [string, string][] = [
    ['sub/deep_up', '../../outside/secret.txt'],
    ['sub/inner_up', '../..'],
    ['sub/sibling', '../sub/file.txt'],
    ['abs_link', '/etc/passwd'],
    ['abs_secret', path.join(outside, 'secret.txt')],
    ['abs_dir', outside],
    ['up_link', '../outside/secret.txt'],
    ['dir_up', '..'],
    ['chain1', 'chain2'],
    ['chain2', 'chain3'],
    ['chain3', '../outside'],
    ['loop_a', 'loop_b'],
    ['loop_b', 'loop_a'],
    ['self', 'self'],
    ['ok_link', 'sub/file.txt'],
  ];
  for (const [name, target] of links) fs.symlinkSync(target, path.join(sandbox, name));
  return { root, sandbox, outside };
}

for (const engine of engines()) {
  describe(`WASI sandbox escapes (${engine.name})`, () => {
    it('refuses every escape with the right errno and leaves the outside untouched', () => {
      const { root, sandbox, outside } = layout();
      try {
        const result = runFixture(engine, 'wasi_escape', { preopens: { '/sandbox': sandbox } });
        assert.doesNotMatch(result.stdout, /ESCAPE|FAIL/, result.stdout);
        assert.match(result.stdout, /^(\d+) attempts, 0 wrong$/m);
        assert.ok(Number(/(\d+) attempts/.exec(result.stdout)?.[1]) >= 50, 'the whole battery ran');
        assert.equal(result.exitCode, 0, result.stdout);
        // Nothing outside was created, removed or changed.
        assert.deepEqual(fs.readdirSync(root).sort(), ['outside', 'sandbox']);
        assert.deepEqual(fs.readdirSync(outside).sort(), ['link', 'secret.txt']);
        assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'SECRET outside\n');
        // What was allowed happened inside: a relative symlink, and no hard link to the secret.
        assert.equal(fs.readlinkSync(path.join(sandbox, 'esc')), '../outside');
        assert.ok(!fs.existsSync(path.join(sandbox, 'hard.txt')));
        assert.ok(!fs.existsSync(path.join(sandbox, 'newabs')));
        assert.ok(fs.existsSync(path.join(sandbox, 'sub', 'file.txt')));
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('never follows a symlink swapped in between check and use', async function () {
      this.timeout(60_000);
      const root = tempDir('race');
      const sandbox = path.join(root, 'sandbox');
      const outside = path.join(root, 'outside');
      for (const dir of [path.join(sandbox, 'flip', 'deeper'), path.join(outside, 'deeper')]) {
        fs.mkdirSync(dir, { recursive: true });
      }
      fs.writeFileSync(path.join(sandbox, 'flip', 'secret.txt'), 'inside\n');
      fs.writeFileSync(path.join(outside, 'secret.txt'), 'SECRET outside\n');
      // A separate process swaps sandbox/flip between the real directory and an absolute
      // symlink to the outside as fast as it can.
      const flipper = spawn(
        process.execPath,
        [
          '-e',
          `const fs = require('fs'); const [s, o] = process.argv.slice(1);
           for (;;) {
             try { fs.renameSync(s + '/flip', s + '/flip_real'); fs.symlinkSync(o, s + '/flip_tmp');
                   fs.renameSync(s + '/flip_tmp', s + '/flip'); fs.unlinkSync(s + '/flip');
                   fs.renameSync(s + '/flip_real', s + '/flip'); } catch {}
           }`,
          sandbox,
          outside,
        ],
        { stdio: 'ignore' },
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const result = runFixture(engine, 'wasi_race', {
          args: ['wasi_race', '3000'],
          preopens: { '/': sandbox },
        });
        const stats = /rounds 3000 inside (\d+) failed (\d+) escaped (\d+)/.exec(result.stdout);
        assert.ok(stats, result.stdout);
        assert.equal(stats[3], '0', result.stdout);
        if (process.env.WASI_TEST_VERBOSE) console.log(result.stdout);
        assert.equal(result.exitCode, 0);
      } finally {
        flipper.kill('SIGKILL');
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  });
}
