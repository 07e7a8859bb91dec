// Function splitting (V8's 60 KiB bytecode cliff): with a tiny threshold every function of a
// module is emitted as a main function plus outlined chunks, and must behave the same.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Module } from '../index';
import { generateFunction, setSplitThreshold } from '../codegen/compile';
import { compileModule } from '../exec/module-record';
import { oneFunctionModule } from './spec/wasm-bytes';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');
type Fn = (...args: unknown[]) => unknown;

/** f(x): 4000 blocks each doing x = x * 3 + k (k < 64), i.e. a ~40 KB function body. */
function bigModule(blocks: number): Uint8Array {
  const body: number[] = [0x00];
  for (let k = 0; k < blocks; k++) {
    // block; local.get 0; i32.const 3; i32.mul; i32.const k; i32.add; local.set 0; end
    body.push(0x02, 0x40, 0x20, 0x00, 0x41, 0x03, 0x6c, 0x41, k & 0x3f, 0x6a, 0x21, 0x00, 0x0b);
  }
  body.push(0x20, 0x00, 0x0b);
  return oneFunctionModule(body);
}

describe('runtime function splitting', () => {
  it('keeps every JS function of a 50 KB Wasm function small, with the same result', () => {
    const blocks = 4000;
    const bytes = bigModule(blocks);
    const record = compileModule(bytes);
    const source = generateFunction(record.info, 0).source;
    const pieces = source.split(/^(?=function |return function )/m);
    assert.ok(pieces.length > 5, `split into ${pieces.length} pieces`);
    for (const piece of pieces) assert.ok(piece.length < 60_000, `piece of ${piece.length} chars`);
    let expected = 5;
    for (let k = 0; k < blocks; k++) expected = (Math.imul(expected, 3) + (k & 0x3f)) | 0;
    const f = new Instance(new Module(bytes)).exports.f as (x: number) => number;
    assert.equal(f(5), expected);
  });

  afterEach(() => setSplitThreshold(7000, 48));

  it('outlines regions of large functions into chunk functions', () => {
    setSplitThreshold(16, 4);
    const record = compileModule(
      new Uint8Array(fs.readFileSync(path.join(fixtures, 'rt_basics.wasm'))),
    );
    const sum = generateFunction(record.info, 13);
    assert.match(sum.source, /function w\d+_13\$sum\$c1\(/);
    setSplitThreshold(7000, 48);
    assert.doesNotMatch(generateFunction(record.info, 13).source, /\$c1\(/);
  });

  it('keeps results identical when everything is split', () => {
    setSplitThreshold(16, 4);
    const e = new Instance(new Module(fs.readFileSync(path.join(fixtures, 'rt_basics.wasm'))), {
      env: { double: (x: bigint) => x * 2n },
    }).exports;
    assert.equal((e.fac as Fn)(20n), 2432902008176640000n);
    assert.equal((e.sum as Fn)(100), 5050);
    assert.equal((e.callAt as Fn)(0, 40, 2), 42);
    assert.deepEqual((e.swap as Fn)(7, 1.5), [1.5, 7]);
    assert.throws(() => (e.divide as Fn)(0), /integer divide by zero/);
  });
});
