// Engine tests through the public API: calls, i64 as BigInt at the boundary, traps with the
// spec's wording and a Wasm backtrace, memory growth and buffer detaching, tables, globals,
// multi-value, stack exhaustion, the memory limit and the interrupt flag (worker thread).
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import {
  CompileError,
  compileOwned,
  Global,
  Instance,
  Memory,
  Module,
  RuntimeError,
  Table,
  setMemoryLimit,
  validate,
} from '../index';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');
const load = (name: string): Buffer => fs.readFileSync(path.join(fixtures, `${name}.wasm`));

type Fn = (...args: unknown[]) => unknown;

describe('runtime engine', () => {
  const instantiate = (): Record<string, unknown> =>
    new Instance(new Module(load('rt_basics')), { env: { double: (x: bigint) => x * 2n } }).exports;

  it('calls exports with JS API conversions', () => {
    const e = instantiate();
    assert.equal((e.add as Fn)(2, 3), 5);
    assert.equal((e.add as Fn)(0x7fffffff, 1), -0x80000000);
    assert.equal((e.mul64 as Fn)(0x100000001n, 3n), 0x300000003n);
    assert.equal((e.mul64 as Fn)(-1n, -1n), 1n);
    assert.equal((e.viaHost as Fn)(-21n), -42n);
    assert.equal((e.fac as Fn)(20n), 2432902008176640000n);
    assert.deepEqual((e.swap as Fn)(7, 1.5), [1.5, 7]);
    assert.equal((e.add as Fn).name, '1');
    assert.throws(() => (e.mul64 as Fn)(1, 2), TypeError);
  });

  it('traps with the spec wording and a wasm backtrace naming functions', () => {
    const e = instantiate();
    assert.throws(
      () => (e.divide as Fn)(0),
      (err: unknown) =>
        err instanceof RuntimeError &&
        err.message.startsWith('integer divide by zero') &&
        /wasm backtrace:\n {4}0: 0x[0-9a-f]+ - <wasm function 5>\n {4}1: 0x[0-9a-f]+ - divide/.test(
          err.message,
        ),
    );
    assert.throws(() => (e.load as Fn)(65535), /out of bounds memory access/);
    assert.throws(() => (e.callAt as Fn)(1, 1, 2), /uninitialized element/);
    assert.throws(() => (e.callAt as Fn)(5, 1, 2), /undefined element/);
    assert.equal((e.callAt as Fn)(0, 1, 2), 3);
    assert.throws(
      () => (e.recurse as Fn)(0),
      (err: unknown) => err instanceof RuntimeError && /call stack exhausted/.test(err.message),
    );
  });

  it('grows memory, detaching the old buffer', () => {
    const e = instantiate();
    const mem = e.mem as Memory;
    const before = mem.buffer;
    new Uint8Array(before)[100] = 42;
    assert.equal(mem.buffer, before);
    assert.equal((e.grow as Fn)(1), 1);
    assert.equal(before.byteLength, 0);
    assert.equal(mem.buffer.byteLength, 2 * 65536);
    assert.equal(new Uint8Array(mem.buffer)[100], 42);
    assert.equal(mem.grow(2), 2);
    assert.equal((e.grow as Fn)(1), -1);
    assert.throws(() => mem.grow(1), RangeError);
  });

  it('keeps contents across many one-page grows', () => {
    const mem = new Memory({ initial: 1, maximum: 300 });
    new Uint8Array(mem.buffer)[7] = 99;
    for (let i = 1; i < 300; i++) {
      const before = mem.buffer;
      assert.equal(mem.grow(1), i);
      assert.equal(before.byteLength, 0);
      new Uint8Array(mem.buffer)[i * 65536 + 3] = i & 0xff;
    }
    const bytes = new Uint8Array(mem.buffer);
    assert.equal(bytes.length, 300 * 65536);
    assert.equal(bytes[7], 99);
    assert.equal(bytes[150 * 65536 + 3], 150);
    assert.throws(() => mem.grow(1), RangeError);
  });

  it('honours the per-thread memory limit', () => {
    let exceeded = 0;
    setMemoryLimit(2 * 65536, () => exceeded++);
    try {
      const e = instantiate();
      assert.equal((e.grow as Fn)(1), 1);
      assert.equal((e.grow as Fn)(1), -1);
      assert.equal(exceeded, 1);
    } finally {
      setMemoryLimit(undefined);
    }
  });

  it('shares tables and globals with JS', () => {
    const e = instantiate();
    const tab = e.tab as Table;
    assert.equal(tab.length, 2);
    assert.equal(tab.get(0), e.add);
    tab.set(1, e.add as Fn);
    assert.equal((e.callAt as Fn)(1, 4, 5), 9);
    const count = e.count as Global;
    assert.equal(count.value, 7);
    assert.equal((e.bump as Fn)(), 8);
    count.value = 100;
    assert.equal((e.bump as Fn)(), 101);
    const g = new Global({ value: 'i64', mutable: true }, 5n);
    assert.equal(g.value, 5n);
  });

  it('validates', () => {
    assert.equal(validate(load('rt_basics')), true);
    assert.equal(validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1])), false);
    // a view into a bigger buffer validates only its own bytes
    const inside = Buffer.concat([Buffer.from([0xff, 0xff]), load('rt_basics')]);
    assert.equal(validate(inside.subarray(2)), true);
    assert.equal(
      validate(new DataView(inside.buffer, inside.byteOffset + 2, inside.length - 2)),
      true,
    );
    assert.equal(validate(inside), false);
  });

  it('compiles a copy of the bytes: later writes by the caller do not show', () => {
    const bytes = load('rt_basics');
    const module = new Module(bytes);
    bytes.fill(0, 8); // every section, function bodies included (generated on first call)
    const e = new Instance(module, { env: { double: (x: bigint) => x * 2n } }).exports;
    assert.equal((e.add as Fn)(2, 3), 5);
    assert.equal((e.fac as Fn)(20n), 2432902008176640000n);
  });

  it('compiles bytes handed over without a copy (compileOwned)', () => {
    const module = compileOwned(load('rt_basics'));
    assert.ok(module instanceof Module);
    assert.ok(Module.exports(module).some((x) => x.name === 'add' && x.kind === 'function'));
    const e = new Instance(module, { env: { double: (x: bigint) => x * 2n } }).exports;
    assert.equal((e.add as Fn)(2, 3), 5);
    assert.throws(
      () => compileOwned(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1])),
      CompileError,
    );
  });

  it('pauses, resumes and stops a busy loop through the interrupt flag', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const ticks = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(path.join(__dirname, 'interrupt-worker.js'), {
      workerData: { wasmPath: path.join(fixtures, 'rt_busy.wasm'), flag, ticks },
    });
    const messages: string[] = [];
    const next = (): Promise<string> =>
      new Promise((resolve) => worker.once('message', (m: string) => resolve(m)));
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    try {
      messages.push(await next());
      const ended = next();
      while (Atomics.load(ticks, 0) < 1000) await sleep(5);
      Atomics.store(flag, 0, 1); // pause
      await sleep(50);
      const paused = Atomics.load(ticks, 0);
      await sleep(100);
      assert.equal(Atomics.load(ticks, 0), paused, 'no progress while paused');
      Atomics.store(flag, 0, 0); // resume
      Atomics.notify(flag, 0);
      while (Atomics.load(ticks, 0) <= paused + 1000) await sleep(5);
      Atomics.store(flag, 0, 2); // stop
      messages.push(await ended);
      assert.deepEqual(messages, ['started', 'interrupted']);
    } finally {
      await worker.terminate();
    }
  });
});
