// Deep block nests (how compilers lower big switches: N nested blocks around a br_table) are
// emitted flat, since V8's parser overflows its stack on a few thousand nested JS blocks.
import assert from 'node:assert/strict';
import { Instance, Module } from '../index';
import { i32Const, oneFunctionModule, uleb } from './spec/wasm-bytes';

/** f(i) = N - i for i < N, else 1: after the end of nested block k the code returns k. */
function switchModule(n: number): Uint8Array {
  const body: number[] = [0x00];
  for (let k = 0; k < n; k++) body.push(0x02, 0x40);
  body.push(0x20, 0x00, 0x0e, ...uleb(n));
  for (let i = 0; i < n; i++) body.push(...uleb(i));
  body.push(...uleb(n - 1));
  for (let k = n; k >= 1; k--) body.push(0x0b, ...i32Const(k), 0x0f);
  body.push(0x0b);
  return oneFunctionModule(body);
}

describe('runtime deep block nests', () => {
  it('runs a 3000-case br_table switch', () => {
    const f = new Instance(new Module(switchModule(3000))).exports.f as (i: number) => number;
    assert.equal(f(0), 3000);
    assert.equal(f(5), 2995);
    assert.equal(f(2999), 1);
    assert.equal(f(100000), 1);
    assert.equal(f(-1), 1);
  });
});
