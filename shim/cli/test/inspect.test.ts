// `tswasm-shim inspect`: what it prints for a module, a bundle and an image (entry, argv, env,
// preopens, limits, typed imports and exports, the engine's verdict), and that the top-level,
// run and inspect help load none of the engine, WASI or image code (lazy requires).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cli, engines, fixture, repo, tempDir } from '../../../wasi/test/harness';
import { writeLayoutTar } from '../../../oci/image-writer';

function inspect(args: string[]) {
  return spawnSync(cli, ['inspect', ...args], { encoding: 'utf8' });
}

// (module (func (export "f") (result i32) i32.add)): decodes, fails validation
const invalid = Buffer.from(
  '0061736d010000000105016000017f03020100070501016600000a0501030' + '06a0b',
  'hex',
);

describe('tswasm-shim inspect', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('cli-inspect')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a module: argv, --env, --dir, typed imports and exports, validation ok', () => {
    const hello = fixture('wasi_hello');
    const result = inspect(['--env', 'A=1', '--dir', `${dir}::/data`, hello, 'x']);
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, new RegExp(`^module: ${hello}$`, 'm'));
    assert.match(out, new RegExp(`^argv: \\["${hello}","x"\\]$`, 'm'));
    assert.match(out, /^env:\n {2}A=1\n/m);
    assert.match(out, new RegExp(`^preopens:\\n {2}/data -> ${dir}\\n`, 'm'));
    assert.match(out, /^memory limit: none$/m);
    assert.match(
      out,
      /^ {2}wasi_snapshot_preview1\.fd_write: func \(i32, i32, i32, i32\) -> \(i32\)$/m,
    );
    assert.match(out, /^ {2}wasi_snapshot_preview1\.proc_exit: func \(i32\) -> \(\)$/m);
    assert.match(out, /^ {2}mul64: func \(i64, i64\) -> \(i64\)$/m);
    assert.match(out, /^ {2}memory: memory \(min \d+ pages, max none\)$/m);
    assert.match(out, /^ {2}_start: func \(\) -> \(\)$/m);
    assert.match(out, /^validation \((tswasm|v8)\): ok$/m);
  });

  for (const { name: engine } of engines()) {
    it(`an invalid module: the ${engine} engine's own error, exit 1`, () => {
      const file = path.join(dir, 'invalid.wasm');
      fs.writeFileSync(file, invalid);
      const result = inspect(['--engine', engine, file]);
      assert.equal(result.status, 1);
      assert.match(result.stdout, /^ {2}f: func \(\) -> \(i32\)$/m); // decoded all the same
      const expected =
        engine === 'v8'
          ? /not enough arguments on the stack for i32\.add/
          : /i32\.add.*type mismatch/;
      assert.match(
        result.stdout,
        new RegExp(`^validation \\(${engine}\\): CompileError: .*${expected.source}`, 'm'),
      );
    });
  }

  it('a bundle: the plan as the shim makes it (entry, cwd, preopens, memory limit)', () => {
    fs.mkdirSync(path.join(dir, 'rootfs', 'bin'), { recursive: true });
    fs.copyFileSync(fixture('wasi_hello'), path.join(dir, 'rootfs', 'bin', 'hello'));
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        process: { args: ['hello', '-v'], env: ['PATH=/bin', 'X=y'], cwd: '/tmp' },
        root: { path: 'rootfs' },
        linux: { resources: { memory: { limit: 33554432 } } },
      }),
    );
    const result = inspect([dir, 'more']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^bundle: ${dir}$`, 'm'));
    assert.match(result.stdout, new RegExp(`^entry: hello \\(${dir}/rootfs/bin/hello\\)$`, 'm'));
    assert.match(result.stdout, /^argv: \["hello","-v","more"\]$/m);
    assert.match(result.stdout, /^env:\n {2}PATH=\/bin\n {2}X=y\n/m);
    assert.match(result.stdout, /^cwd: \/tmp$/m);
    assert.match(result.stdout, new RegExp(`^preopens:\\n {2}/ -> ${dir}/rootfs\\n`, 'm'));
    assert.match(result.stdout, /^memory limit: 33554432 bytes$/m);
    const flag = inspect(['--memory-limit', '1G', dir]);
    assert.match(flag.stdout, /^memory limit: 1073741824 bytes$/m);
  });

  it('an image: the image and platform picked, its process, and no rootfs left behind', async () => {
    const tar = path.join(dir, 'image.tar');
    fs.writeFileSync(
      tar,
      await writeLayoutTar({
        images: [
          {
            name: 'example.com/app:2',
            platform: { os: 'wasi', architecture: 'wasm' },
            config: {
              Entrypoint: ['/app.wasm'],
              Cmd: ['serve'],
              Env: ['MODE=prod'],
              WorkingDir: '/srv',
            },
            layers: [{ kind: 'tar', entries: [{ path: 'app.wasm', data: invalid }] }],
          },
        ],
      }),
    );
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const result = spawnSync(cli, ['inspect', tar], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: tmp },
    });
    assert.equal(result.status, 1); // the module does not validate
    assert.match(result.stdout, /^image: example\.com\/app:2$/m);
    assert.match(result.stdout, /^platform: wasi\/wasm$/m);
    assert.match(result.stdout, /^manifest: sha256:[0-9a-f]{64}$/m);
    assert.match(result.stdout, /^argv: \["\/app\.wasm","serve"\]$/m);
    assert.match(result.stdout, /^env:\n {2}MODE=prod\n/m);
    assert.match(result.stdout, /^cwd: \/srv$/m);
    assert.match(result.stdout, /^ {2}\/ -> \(the image's rootfs/m);
    assert.match(result.stdout, /^validation \(\w+\): CompileError: /m);
    assert.deepEqual(fs.readdirSync(tmp), []);
  });

  it('a bad input or option: the message, exit 1 or 2', () => {
    const missing = inspect([path.join(dir, 'nope.wasm')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read .*nope\.wasm/);
    const option = inspect(['--invoke', 'f', fixture('wasi_hello')]);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /unknown option --invoke/);
    assert.match(option.stderr, /Usage: tswasm-shim inspect/);
  });
});

describe('tswasm-shim help stays light', () => {
  /** Node built-ins a command line loaded (engine, WASI and image code pull these in). */
  function loadedBuiltins(args: string[]): {
    status: number | null;
    stdout: string;
    loaded: string[];
  } {
    const hook = path.join(tempDir('cli-hook'), 'hook.js');
    fs.writeFileSync(
      hook,
      `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'));`,
    );
    try {
      const result = spawnSync(
        process.execPath,
        ['-r', hook, path.join(repo, 'dist', 'bin', 'tswasm-shim.js'), ...args],
        {
          encoding: 'utf8',
        },
      );
      const line = /^LOADED (.*)$/m.exec(result.stderr);
      assert.ok(line, result.stderr);
      const loaded = (JSON.parse(line[1]) as string[])
        .filter((m) => m.startsWith('NativeModule '))
        .map((m) => m.slice('NativeModule '.length));
      return { status: result.status, stdout: result.stdout, loaded };
    } finally {
      fs.rmSync(path.dirname(hook), { recursive: true, force: true });
    }
  }
  // WASI loads worker_threads (sockets) and, at a module's first random_get, crypto; the image
  // reader loads zlib
  const heavy = ['crypto', 'worker_threads', 'zlib'];

  for (const args of [['--help'], ['run', '--help'], ['inspect', '--help']]) {
    it(`${args.join(' ')} prints the usage and loads none of ${heavy.join(', ')}`, () => {
      const { status, stdout, loaded } = loadedBuiltins(args);
      assert.equal(status, 0);
      assert.match(stdout, /^Usage: tswasm-shim /);
      assert.deepEqual(
        heavy.filter((m) => loaded.includes(m)),
        [],
      );
    });
  }

  it('a run loads worker_threads (so the check above can fail); a module run leaves out zlib, and crypto until random_get', () => {
    const { status, loaded } = loadedBuiltins(['run', fixture('wasi_hello'), '--exit', '3']);
    assert.equal(status, 3);
    assert.ok(loaded.includes('worker_threads'), loaded.join(','));
    assert.ok(!loaded.includes('zlib'), 'a module run needs no image code');
    assert.ok(!loaded.includes('crypto'), 'hello never calls random_get');
  });
});
