// Addresses of 2 GiB and above: generated code passes an access without offset its address as
// a signed int32, so these must trap while the memory is small and work once it is larger.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Module, RuntimeError } from '../index';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');

interface Wide {
  mem: { buffer: ArrayBuffer };
  grow(pages: number): number;
  store(a: number, v: number): void;
  store64(a: number, v: bigint): void;
  load(a: number): number;
  load8(a: number): number;
  load_offset4(a: number): number;
}

describe('runtime memory addresses at and above 2 GiB', () => {
  const instantiate = (): Wide =>
    new Instance(new Module(fs.readFileSync(path.join(fixtures, 'rt_wide.wasm'))))
      .exports as unknown as Wide;
  const high = 0x80000010 | 0;

  it('traps on them while the memory is at most 2 GiB, writing nothing', () => {
    const w = instantiate();
    assert.throws(() => w.load(high), RuntimeError);
    assert.throws(() => w.store(high, 1), RuntimeError);
    assert.throws(() => w.load_offset4(-4), RuntimeError);
    // An i64 store straddling 2^32 must not write its high half at address 0.
    assert.throws(() => w.store64(-4, -1n), RuntimeError);
    assert.equal(w.load(0), 0);
  });

  it('reads and writes them once the memory is larger than 2 GiB', function () {
    this.timeout(10_000);
    const w = instantiate();
    if (w.grow(32768) < 0) this.skip(); // the host could not reserve 2 GiB
    w.store(high, 1234);
    assert.equal(w.load(high), 1234);
    assert.equal(w.load8(high), 1234 & 0xff);
    assert.equal(w.load_offset4(high - 4), 1234);
    assert.equal(new Int32Array(w.mem.buffer)[0x80000010 / 4], 1234);
    assert.throws(() => w.load(-4), RuntimeError);
  });
});
