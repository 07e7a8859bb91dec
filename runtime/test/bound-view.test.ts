// Functions that neither call nor grow memory bind the memory view in their closure (see
// "bound view" in codegen/compile.ts): after memory.grow or Memory.grow they must see the
// grown memory, through every way of calling them.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Module, RuntimeError } from '../index';
import { generateFunction } from '../codegen/compile';
import { compileModule } from '../exec/module-record';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');
const bytes = (): Buffer => fs.readFileSync(path.join(fixtures, 'rt_bound_view.wasm'));

interface BoundView {
  mem: { buffer: ArrayBuffer; grow(pages: number): number };
  load(a: number): number;
  store(a: number, v: number): void;
  load64(a: number): bigint;
  grow(pages: number): number;
  grow_then_load(a: number): number;
}

describe('runtime bound memory view', () => {
  const instantiate = (): BoundView =>
    new Instance(new Module(bytes())).exports as unknown as BoundView;

  it('binds the view in leaf functions only', () => {
    const record = compileModule(new Uint8Array(bytes()));
    const source = (i: number): string => generateFunction(record.info, i).source;
    assert.match(source(0), /const MV=MS\.dv;/);
    assert.doesNotMatch(source(3), /const MV=MS\.dv;/);
    assert.doesNotMatch(source(4), /const MV=MS\.dv;/);
  });

  it('sees memory grown by memory.grow after the leaf ran', () => {
    const w = instantiate();
    w.store(100, 7);
    assert.equal(w.load(100), 7);
    assert.throws(() => w.load(70_000), RuntimeError);
    assert.equal(w.grow(1), 1);
    w.store(70_000, 9);
    assert.equal(w.load(70_000), 9);
    assert.equal(w.load64(70_000), 9n);
    assert.equal(w.load(100), 7);
  });

  it('sees memory grown by the JS API and by a caller of the leaf', () => {
    const w = instantiate();
    assert.equal(w.load(0), 0);
    assert.equal(w.mem.grow(1), 1);
    new Int32Array(w.mem.buffer)[100_000 / 4] = 5;
    assert.equal(w.load(100_000), 5);
    assert.throws(() => w.load(2 * 65536), RuntimeError);
    new Int32Array(w.mem.buffer)[0] = 11;
    assert.equal(w.grow_then_load(0), 11);
    assert.equal(w.load(2 * 65536), 0);
  });

  it('binds the view in a function whose calls cannot grow memory, not after ones that may', () => {
    const gbytes = new Uint8Array(fs.readFileSync(path.join(fixtures, 'rt_grow_calls.wasm')));
    const record = compileModule(gbytes);
    const source = (i: number): string => generateFunction(record.info, i).source;
    assert.match(source(4), /const MV=MS\.dv;/); // sum2 calls only $leaf
    assert.doesNotMatch(source(5), /const MV=MS\.dv;/); // after_host
    assert.doesNotMatch(source(6), /const MV=MS\.dv;/); // after_indirect
    let mem: { grow(n: number): number } | undefined;
    const e = new Instance(new Module(gbytes), {
      env: { host_grow: () => mem!.grow(1) },
    }).exports as {
      mem: { grow(n: number): number; buffer: ArrayBuffer };
      sum2(a: number): number;
      after_host(a: number): number;
      after_indirect(a: number): number;
    };
    mem = e.mem;
    new Int32Array(e.mem.buffer).set([3, 4]);
    assert.equal(e.sum2(0), 7);
    assert.throws(() => e.sum2(65536), RuntimeError);
    assert.equal(e.after_host(65536), 0); // reads the page the host just added
    assert.equal(e.after_indirect(2 * 65536), 0);
    new Int32Array(e.mem.buffer)[65536 / 4] = 5;
    new Int32Array(e.mem.buffer)[65536 / 4 + 1] = 6;
    assert.equal(e.sum2(65536), 11);
  });
});
