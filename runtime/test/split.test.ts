// Function splitting (V8's 60 KiB bytecode cliff): with a tiny threshold every function of a
// module is emitted as a main function plus outlined chunks, and must behave the same.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Module } from '../index';
import { generateFunction, setSplitThreshold } from '../codegen/compile';
import { compileModule } from '../exec/module-record';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');
type Fn = (...args: unknown[]) => unknown;

describe('runtime function splitting', () => {
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
