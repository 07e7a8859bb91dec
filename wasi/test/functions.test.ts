// Every WASI function through C programs built with wasi-libc (fixtures/wasi_fs.c,
// wasi_misc.c), on every available engine, checking the programs' own assertions, the tree they
// leave on disk, and that all engines print the same thing (differential).
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { functionSignatures } from '../spec';
import { Engine, RunOutput, calledFunctions, engines, runFixture, tempDir } from './harness';

/** The tree under `dir`: "path type size" lines, sorted (type f/d/l, size of files and links). */
function tree(dir: string): string[] {
  const lines: string[] = [];
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel))) {
      const relPath = rel ? `${rel}/${name}` : name;
      const stats = fs.lstatSync(path.join(dir, relPath));
      if (stats.isSymbolicLink())
        lines.push(`${relPath} l -> ${fs.readlinkSync(path.join(dir, relPath))}`);
      else if (stats.isDirectory()) {
        lines.push(`${relPath} d`);
        walk(relPath);
      } else lines.push(`${relPath} f ${stats.size}`);
    }
  };
  walk('');
  return lines.sort();
}

const outputs = new Map<string, Map<string, RunOutput>>();
function remember(test: string, engine: Engine, output: RunOutput): void {
  if (!outputs.has(test)) outputs.set(test, new Map());
  outputs.get(test)?.set(engine.name, output);
}

for (const engine of engines()) {
  describe(`WASI functions (${engine.name})`, () => {
    it('fd_* and path_*: files, seeking, rights, fdflags, readdir, links, renames (wasi_fs.c)', () => {
      const dir = tempDir('fs');
      try {
        const result = runFixture(engine, 'wasi_fs', { preopens: { '/work': dir } });
        assert.doesNotMatch(result.stdout, /FAIL/, result.stdout);
        assert.match(result.stdout, /^1[5-9]\d checks, 0 failed$/m);
        assert.equal(result.exitCode, 0);
        assert.deepEqual(tree(dir), [
          'a.txt f 5',
          'd d',
          'd/f2 f 0',
          'd/f3 f 0',
          'd/moved d',
          'full d',
          'full/x f 0',
          'hard.txt f 5',
          'r2.txt f 0',
          'sym.txt l -> a.txt',
          'symdir l -> d',
          't.txt f 5',
        ]);
        assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'HELLO');
        assert.equal(fs.readFileSync(path.join(dir, 't.txt'), 'utf8'), 'abcde');
        assert.equal(
          fs.statSync(path.join(dir, 'a.txt')).ino,
          fs.statSync(path.join(dir, 'hard.txt')).ino,
        );
        remember('fs', engine, result);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('args, environ, clocks, random, poll_oneoff, proc_raise; proc_exit(7) unwinds (wasi_misc.c)', () => {
      const dir = tempDir('misc');
      try {
        fs.writeFileSync(path.join(dir, 'data.txt'), '0123456789\n');
        const result = runFixture(engine, 'wasi_misc', {
          args: ['wasi_misc', 'héllo', 'two words'],
          env: { A: '1', B: 'é=x' },
          preopens: { '/work': dir },
        });
        assert.equal(result.stdout, '43 checks, 0 failed\n');
        assert.equal(result.exitCode, 7);
        remember('misc', engine, result);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('streams stdin to stdout after poll_oneoff says it is ready (wasi_cat.c)', () => {
      const text = 'line 1\nline 2\n'.repeat(1000);
      const result = runFixture(engine, 'wasi_cat', { stdin: text });
      assert.equal(result.stdout, text);
      assert.equal(result.exitCode, Math.ceil(Buffer.byteLength(text) / 4096) % 100);
    });

    it('treats stdin and stdout that are regular files as streams, as wasmtime (wasi_stdio_seek.c)', () => {
      const result = runFixture(engine, 'wasi_stdio_seek', { stdin: '0123456789' });
      assert.equal(result.stdout, 'abcd\n13 checks, 0 failed\n');
      assert.equal(result.exitCode, 0);
    });

    it('polls a FIFO opened with path_open until data, then until hangup (wasi_fifo.c)', () => {
      const dir = tempDir('fifo');
      try {
        const fifo = path.join(dir, 'fifo');
        assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
        // The writer is another process: this one is busy running the guest synchronously.
        const writer = spawn('sh', [
          '-c',
          `exec 3>"${fifo}"; sleep 0.2; printf 'hello\\n' >&3; sleep 0.3; printf 'world\\n' >&3`,
        ]);
        const result = runFixture(engine, 'wasi_fifo', { preopens: { '/work': dir } });
        writer.kill();
        assert.match(result.stdout, /^data: hello\ndata: world\neof\n\d+ checks, 0 failed\n$/);
        assert.equal(result.exitCode, 0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('sees memory.grow: the buffer is re-read on every call', () => {
      // malloc of 8 MiB grows memory, then the program writes from the new pages
      const result = runFixture(engine, 'wasi_grow');
      assert.equal(result.stdout, `grew to ${8 << 20} bytes, last byte 7\n`);
      assert.equal(result.exitCode, 0);
    });
  });
}

describe('WASI functions: engines agree', () => {
  it('prints byte-identical output on every engine', function () {
    if (engines().length < 2) this.skip(); // only V8 available
    for (const [test, byEngine] of outputs) {
      const [first, ...rest] = [...byEngine.values()];
      for (const other of rest) assert.deepEqual(other, first, `${test} differs between engines`);
    }
  });
});

describe('WASI functions: coverage', () => {
  it('the test programs above call every one of the 46 functions', () => {
    const missing = Object.keys(functionSignatures).filter((name) => !calledFunctions.has(name));
    assert.deepEqual(missing, []);
  });
});
