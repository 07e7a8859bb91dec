// `tswasm-shim run` end to end: spawns bin/tswasm-shim on the WASI fixtures and checks output,
// exit status, flag handling, streaming stdio and listening sockets, on each engine.
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { cli, engines, fixture, tempDir } from '../../../wasi/test/harness';

function run(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return spawnSync(cli, ['run', ...args], {
    encoding: 'utf8',
    env: options.env ?? process.env,
    input: options.input,
  });
}

/** A TCP port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves with everything a stream has printed once `pattern` appears in it. */
function waitFor(
  stream: NodeJS.ReadableStream,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(seen)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        stream.removeListener('data', onData);
        resolve(seen);
      }
    };
    stream.on('data', onData);
  });
}

const hello = fixture('wasi_hello');

for (const { name: engine } of engines()) {
  describe(`tswasm-shim run --engine ${engine}`, () => {
    it('passes arguments, --env and --dir HOST::GUEST, and exits with the module code', () => {
      const dir = tempDir('cli');
      try {
        fs.writeFileSync(path.join(dir, 'in.txt'), 'first line\nsecond\n');
        const result = run(
          [
            '--engine',
            engine,
            '--dir',
            `${dir}::/data`,
            '--env',
            'GREETING=hi there',
            '--env=INHERITED',
            hello,
            'a',
            'b c',
            '--read',
            '/data/in.txt',
            '--write',
            '/data/out.txt',
          ],
          { env: { ...process.env, INHERITED: 'from host' } },
        );
        assert.equal(result.stderr, '');
        assert.equal(
          result.stdout,
          'hello from wasm\narg 1: a\narg 2: b c\nread: first line\nenv: GREETING=hi there\nenv: INHERITED=from host\n',
        );
        assert.equal(result.status, 0);
        assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'written by wasm\n');
        // --dir HOST alone maps HOST to the same guest path; '.' is where relative paths start
        const here = spawnSync(
          cli,
          ['run', '--engine', engine, '--dir', '.', hello, '--read', 'in.txt'],
          {
            encoding: 'utf8',
            cwd: dir,
          },
        );
        assert.equal(here.stdout, 'hello from wasm\nread: first line\n', here.stderr);
        const exit = run(['--engine', engine, hello, '--exit', '42']);
        assert.equal(exit.status, 42);
        // WASI reserves 126 and up: wasmtime reports an error (not a trap) and exits 1
        const reserved = run(['--engine', engine, hello, '--exit', '126']);
        assert.equal(reserved.status, 1);
        assert.match(
          reserved.stderr,
          /failed to run main module `.*wasi_hello\.wasm`\n\nCaused by:\n {4}exit with invalid exit status outside of \[0\.\.126\)\n$/,
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reports a trap with the Wasm backtrace and exits 134, as wasmtime does', () => {
      const result = run(['--engine', engine, hello, '--trap']);
      assert.equal(result.status, 134);
      assert.equal(result.stdout, 'hello from wasm\n'); // output before the trap is kept
      assert.match(result.stderr, /failed to run main module `.*wasi_hello\.wasm`/);
      assert.match(result.stderr, /wasm trap: .*unreachable/);
    });

    it('--invoke calls an export with the arguments and prints its results (i32 and i64)', () => {
      const add = run(['--engine', engine, '--invoke', 'add', hello, '40', '2']);
      assert.equal(add.stdout, '42\n');
      assert.equal(add.status, 0);
      const mul = run(['--engine', engine, '--invoke', 'mul64', hello, '4000000000', '3']);
      assert.equal(mul.stdout, '12000000000\n');
      const missing = run(['--engine', engine, '--invoke', 'nope', hello]);
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /export function `nope`/);
    });

    it('streams stdin and stdout: output arrives before stdin ends', async function () {
      this.timeout(30_000);
      const child = spawn(cli, ['run', '--engine', engine, fixture('wasi_cat')], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.stdin.write('first\n');
      assert.equal(await waitFor(child.stdout, /first\n/), 'first\n');
      child.stdin.write('second\n');
      await waitFor(child.stdout, /second\n/);
      child.stdin.end();
      assert.equal(await exited, 2); // two chunks
    });

    it('--tcplisten hands the module a listening socket it accepts, reads and writes on', async function () {
      this.timeout(30_000);
      const port = await freePort();
      const child = spawn(
        cli,
        ['run', '--engine', engine, '--tcplisten', `127.0.0.1:${port}`, fixture('wasi_sock')],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const stdout = waitFor(child.stdout, /served/);
      await waitFor(child.stdout, /listening/);
      const socket = net.connect(port, '127.0.0.1');
      socket.end('hello socket\n');
      const answer = await new Promise<string>((resolve, reject) => {
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      assert.equal(answer, 'HELLO SOCKET\n');
      assert.match(await stdout, /served 13 bytes\n.*checks, 0 failed/s);
      assert.equal(await exited, 0);
    });
  });
}

describe('tswasm-shim run --trace-wasi', () => {
  it('prints each WASI call with its errno to stderr, output unchanged', () => {
    const result = run(['--trace-wasi', hello, '--exit', '3']);
    assert.equal(result.stdout, 'hello from wasm\n');
    assert.equal(result.status, 3);
    assert.match(result.stderr, /^wasi: args_sizes_get\(\d+, \d+\) = ESUCCESS$/m);
    assert.match(result.stderr, /^wasi: fd_write\(1, \d+, \d+, \d+\) = ESUCCESS$/m);
    assert.match(result.stderr, /^wasi: proc_exit\(3\) unwinds$/m);
  });
});

describe('tswasm-shim run: command-line errors', () => {
  it('a malformed module names the file and exits 1', () => {
    const dir = tempDir('cli');
    try {
      const bad = path.join(dir, 'bad.wasm');
      fs.writeFileSync(bad, 'not wasm at all');
      const result = run([bad]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /failed to compile .*bad\.wasm/);
      const missing = run([path.join(dir, 'missing.wasm')]);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /cannot read .*missing\.wasm/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a trap in the start function is a trap (134), as wasmtime reports it', () => {
    const dir = tempDir('cli');
    try {
      // (module (func unreachable) (start 0))
      const file = path.join(dir, 'start-trap.wasm');
      fs.writeFileSync(
        file,
        Buffer.from('0061736d01000000010401600000030201000801000a05010300000b', 'hex'),
      );
      const result = run([file]);
      assert.equal(result.status, 134, result.stderr);
      assert.match(result.stderr, /wasm trap: .*unreachable/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a module without _start (and no --invoke) is an error naming the file, exit 1', () => {
    const dir = tempDir('cli');
    try {
      // (module (memory (export "memory") 1) (func (export "f") (result i32) i32.const 7))
      const reactor = Buffer.from(
        '0061736d010000000105016000017f030201000503010001070e02066d656d6f7279020001660000' +
          '0a0601040041070b',
        'hex',
      );
      const file = path.join(dir, 'reactor.wasm');
      fs.writeFileSync(file, reactor);
      const result = run([file]);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /reactor\.wasm exports no _start function/);
      const invoked = run(['--invoke', 'f', file]);
      assert.equal(invoked.stdout, '7\n');
      assert.equal(invoked.status, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad flag prints a specific error and the usage, and exits 2', () => {
    for (const [args, message] of [
      [['--frobnicate', hello], /unknown option --frobnicate/],
      [['--dir'], /option --dir needs a value/],
      [['--dir', '/no/such/dir', hello], /\/no\/such\/dir is not a directory/],
      [['--engine', 'spidermonkey', hello], /expected tswasm or v8/],
      [['--tcplisten', 'nowhere', hello], /expected HOST:PORT/],
      [[], /missing FILE\.wasm/],
    ] as const) {
      const result = run([...args]);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Usage: tswasm-shim run/);
    }
  });

  it('run --help prints the options and exits 0', () => {
    const result = run(['--help']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /--dir HOST\[::GUEST\]/);
  });
});
