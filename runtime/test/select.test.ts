// select without a branch: the mask comes from the condition, negated as is when the
// condition is a bit masked with &1 and tested for zero otherwise.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Module } from '../index';
import { generateFunction } from '../codegen/compile';
import { compileModule } from '../exec/module-record';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');
const bytes = (): Buffer => fs.readFileSync(path.join(fixtures, 'rt_select.wasm'));

interface Selects {
  bit(x: number, a: number, b: number): number;
  xorbit(x: number, y: number, a: number, b: number): number;
  bits3(x: number, a: number, b: number): number;
  xorouter(x: number, y: number, a: number, b: number): number;
  bit64(x: number, a: bigint, b: bigint): bigint;
  xorconst(x: number, c: number): number;
  xorlocal(x: number, k: number, c: number): number;
  xorsecond(x: number, c: number, d: number): number;
  xorsecondany(x: number, k: number, c: number): number;
  xorother(x: number, y: number, k: number, c: number): number;
}

const xs = [0, 1, 2, 3, 4, 5, -1, -2, 0x7fffffff, -0x80000000, 0x55555555, 0xaaaaaaaa | 0];

describe('runtime select', () => {
  const e = new Instance(new Module(bytes())).exports as unknown as Selects;

  it('negates a bit condition without testing it for zero', () => {
    const record = compileModule(new Uint8Array(bytes()));
    const source = (i: number): string => generateFunction(record.info, i).source;
    assert.match(source(0), /t0=\(0-\(l0&1\)\)\|0;/);
    assert.match(source(1), /t0=\(0-\(\(l0\^l1\)&1\)\)\|0;/);
    assert.match(source(2), /!==0/);
    assert.match(source(3), /!==0/);
  });

  it('selects by the condition being non-zero', () => {
    for (const x of xs) {
      assert.equal(e.bit(x, 7, 3), x & 1 ? 7 : 3, `bit(${x})`);
      assert.equal(e.bits3(x, 7, 3), x & 3 ? 7 : 3, `bits3(${x})`);
      assert.equal(e.bit64(x, -5n, 1n << 40n), x & 1 ? -5n : 1n << 40n, `bit64(${x})`);
      for (const y of xs) {
        assert.equal(e.xorbit(x, y, -1, 0x12345678), (x ^ y) & 1 ? -1 : 0x12345678);
        assert.equal(e.xorouter(x, y, 9, -9), x ^ (y & 1) ? 9 : -9, `xorouter(${x}, ${y})`);
      }
    }
  });

  it('selects between x and x^k with one xor', () => {
    const record = compileModule(new Uint8Array(bytes()));
    const source = (i: number): string => generateFunction(record.info, i).source;
    assert.match(source(5), /=l0\^\(\(-24575\)&t0\);/);
    assert.match(source(6), /=l0\^\(l1&t0\);/);
    assert.match(source(7), /t0=\(\(\(\(l1===l2\)\)\|0\)-1\)\|0;s0=l0\^\(40961&t0\);/);
    for (const x of xs) {
      for (const c of xs) {
        assert.equal(e.xorconst(x, c), c & 1 ? x ^ -24575 : x, `xorconst(${x}, ${c})`);
        assert.equal(e.xorlocal(x, c, c), c ? x ^ c : x, `xorlocal(${x}, ${c})`);
        assert.equal(e.xorlocal(x, 0x5a5a5a5a, c), c ? x ^ 0x5a5a5a5a : x);
        assert.equal(e.xorsecond(x, c, 1), c === 1 ? x : x ^ 40961, `xorsecond(${x}, ${c})`);
        assert.equal(e.xorsecondany(x, -7, c), c ? x : x ^ -7, `xorsecondany(${x}, ${c})`);
        assert.equal(e.xorother(x, c, 12345, c), c ? c ^ 12345 : x, `xorother(${x}, ${c})`);
      }
    }
  });
});
