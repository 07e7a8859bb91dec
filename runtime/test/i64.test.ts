// i64 arithmetic, shifts, rotates and comparisons on int32 halves, checked against BigInt on
// edge values and random operands; constant right operands exercise the inlined literal forms.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Instance, Module } from '../index';

const fixtures = path.resolve(__dirname, '../../../build/fixtures');

type Fn = (...args: bigint[]) => bigint | number;

const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const rotl = (a: bigint, n: bigint): bigint => {
  const k = n & 63n;
  return s64((u64(a) << k) | (u64(a) >> ((64n - k) & 63n)));
};

const reference: Record<string, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => s64(a + b),
  sub: (a, b) => s64(a - b),
  mul: (a, b) => s64(a * b),
  shl: (a, b) => s64(a << (b & 63n)),
  shr_s: (a, b) => a >> (b & 63n),
  shr_u: (a, b) => s64(u64(a) >> (b & 63n)),
  rotl: (a, b) => rotl(a, b),
  rotr: (a, b) => rotl(a, 64n - (b & 63n)),
};
const compare: Record<string, (a: bigint, b: bigint) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt_s: (a, b) => a < b,
  lt_u: (a, b) => u64(a) < u64(b),
  gt_s: (a, b) => a > b,
  gt_u: (a, b) => u64(a) > u64(b),
  le_s: (a, b) => a <= b,
  le_u: (a, b) => u64(a) <= u64(b),
  ge_s: (a, b) => a >= b,
  ge_u: (a, b) => u64(a) >= u64(b),
};

/** Edge values (zero, ±1, half and sign boundaries) plus deterministic pseudo-random ones. */
function operands(): bigint[] {
  const edges = [0n, 1n, -1n, 2n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xffffffffn];
  edges.push(0x100000000n, 0x7fffffffffffffffn, -0x8000000000000000n, -0x80000000n);
  edges.push(0x123456789abcdef0n, -0x0fedcba987654321n);
  let x = 0x9e3779b97f4a7c15n;
  const values = edges.map(s64);
  for (let i = 0; i < 40; i++) {
    x ^= x >> 12n;
    x = u64(x ^ (x << 25n));
    x ^= x >> 27n;
    values.push(s64(x * 2685821657736338717n));
  }
  return values;
}

/**
 * For odd c: operands a whose 32x32 product with c has a low word within a few units of 0 or
 * 2^32 (a = r / c mod 2^32), where a high word taken from a rounded double product goes wrong.
 */
function nearWrap(c: bigint): bigint[] {
  if ((c & 1n) === 0n) return [];
  const m32 = 0xffffffffn;
  let inv = c; // Newton's iteration for c^-1 mod 2^32 (each step doubles the correct bits)
  for (let k = 0; k < 5; k++) inv = (inv * (2n - c * inv)) & m32;
  // Inside and at both edges of the window (low word within 2^11 of 0 or 2^32) where the
  // generated code corrects the double product by the exact low word.
  const lows = [0n, 1n, 2n, 5n, 1023n, 2047n, 2048n, 4095n, m32, m32 - 1n, m32 - 4n, m32 - 2046n];
  lows.push(m32 - 2047n, m32 - 2048n);
  return lows.flatMap((r) => [(r * inv) & m32, s64(0x5a5a5a5a00000000n | ((r * inv) & m32))]);
}

describe('runtime i64 operations', () => {
  const e = new Instance(new Module(fs.readFileSync(path.join(fixtures, 'rt_i64ops.wasm'))))
    .exports as Record<string, Fn>;
  const values = operands();
  const counts = [...values, 0n, 1n, 31n, 32n, 33n, 63n, 64n, 95n, 127n];

  for (const [op, ref] of Object.entries(reference)) {
    it(`${op} matches BigInt`, () => {
      const rights = op === 'add' || op === 'sub' || op === 'mul' ? values : counts;
      for (const a of values)
        for (const b of rights) {
          assert.equal(e[op](a, b), ref(a, b), `${op}(${a}, ${b})`);
          // Operands on the stack: the result overwrites the left operand's variables.
          assert.equal(e[`${op}_stack`](a, b), ref(a, b), `${op}(${a}, ${b}) on the stack`);
        }
    });
  }

  it('comparisons match BigInt', () => {
    for (const [op, ref] of Object.entries(compare))
      for (const a of values)
        for (const b of [...values, a]) {
          assert.equal(e[op](a, b), ref(a, b) ? 1 : 0, `${op}(${a}, ${b})`);
          assert.equal(e[`${op}_if`](a, b), ref(a, b) ? 7 : 3, `${op}(${a}, ${b}) in an if`);
          assert.equal(e[`${op}_select`](a, b), ref(a, b) ? 7 : 3, `${op}(${a}, ${b}) in a select`);
        }
  });

  it('constant shift counts, rotates and multipliers match BigInt', () => {
    const constants: [string, bigint][] = [0n, 1n, 7n, 31n, 32n, 33n, 63n, 64n, -1n].map((c) => [
      String(c).replace('-', 'm'),
      c,
    ]);
    for (const op of ['shl', 'shr_s', 'shr_u', 'rotl', 'rotr', 'mul'])
      for (const [suffix, c] of constants)
        for (const a of values) {
          assert.equal(e[`${op}_${suffix}`](a), reference[op](a, c), `${op}(${a}, ${c})`);
          const stack = e[`${op}_${suffix}_stack`](a);
          assert.equal(stack, reference[op](a, c), `${op}(${a}, ${c}) on the stack`);
        }
    const addends: [string, bigint][] = [
      ['0', 0n],
      ['1', 1n],
      ['m1', -1n],
      ['0x80000000', 0x80000000n],
      ['0xFFFFFFFF', 0xffffffffn],
      ['0x100000000', 0x100000000n],
      ['0x9E3779B97F4A7C15', s64(0x9e3779b97f4a7c15n)],
      ['-0x7FFFFFFFFFFFFFFF', -0x7fffffffffffffffn],
    ];
    for (const op of ['add', 'sub'])
      for (const [suffix, c] of addends)
        for (const a of values) {
          assert.equal(e[`${op}_${suffix}`](a), reference[op](a, c), `${op}(${a}, ${c})`);
          const stack = e[`${op}_${suffix}_stack`](a);
          assert.equal(stack, reference[op](a, c), `${op}(${a}, ${c}) on the stack`);
        }
    const multipliers: [string, bigint][] = [
      ['0x9E3779B97F4A7C15', 0x9e3779b97f4a7c15n],
      ['0xFFFFFFFF', 0xffffffffn],
      ['0x100000000', 0x100000000n],
      ['-0x7FFFFFFFFFFFFFFF', -0x7fffffffffffffffn],
    ];
    for (const [suffix, c] of multipliers)
      for (const a of values) assert.equal(e[`mul_${suffix}`](a), s64(a * c), `mul(${a}, ${c})`);
    // Multipliers below 2^21 take an exact-product form; 2^21 and above the general one.
    for (const [suffix, c] of [
      ['10', 10n],
      ['0x1FFFFF', 0x1fffffn],
      ['0x200000', 0x200000n],
      ['0x7FFFFFFF', 0x7fffffffn],
    ] as [string, bigint][])
      for (const a of [...values, ...nearWrap(c)]) {
        assert.equal(e[`mul_${suffix}`](a), s64(a * c), `mul(${a}, ${c})`);
        assert.equal(e[`mul_${suffix}_stack`](a), s64(a * c), `mul(${a}, ${c}) on the stack`);
      }
  });

  it('mul is exact where the 32x32 low product is near a multiple of 2^32', () => {
    // The high word comes from a double product that can be off by up to 2^11 (see nearWrap).
    let x = 0x2545f4914f6cdd1dn;
    const next = (): bigint => {
      x = u64(x ^ (x << 13n));
      x ^= x >> 7n;
      x = u64(x ^ (x << 17n));
      return x;
    };
    const m32 = 0xffffffffn;
    for (let i = 0; i < 200; i++) {
      const b = (next() & m32) | 1n | (i % 2 === 0 ? 0x80000000n : 0n);
      for (const low of nearWrap(b)) {
        const a = s64((next() & ~m32) | (low & m32));
        const bb = s64((next() & ~m32) | b);
        assert.equal(e.mul(a, bb), s64(a * bb), `mul(${a}, ${bb})`);
        assert.equal(e.mul(bb, a), s64(a * bb), `mul(${bb}, ${a})`);
      }
    }
    // 32x32 products just above a power of two (2^53 or more), where the rounded
    // double product minus the low word falls below the high word times 2^32.
    const aboveTwoPowers: [bigint, bigint][] = [
      [3306506907n, 2724083n],
      [2213578507n, 4069067n],
      [1541454181n, 5843313n],
      [2885411234n, 6243269n],
      [3331209876n, 10815529n],
      [4231889322n, 17027287n],
    ];
    for (const [a, b] of aboveTwoPowers) {
      const high = next() & ~m32;
      assert.equal(e.mul(s64(a), b), s64(a * b), `mul(${a}, ${b})`);
      assert.equal(e.mul(s64(high | a), b), s64((high | a) * b), `mul(${high | a}, ${b})`);
    }
  });

  it("mul's first call in an instance, exact at every product, matches the later calls", () => {
    // A function's first call takes the exact high-word form for every product (so V8 has
    // type feedback for it); later calls take it only near a wrap. Each instance here is new.
    const module = new Module(fs.readFileSync(path.join(fixtures, 'rt_i64ops.wasm')));
    const pairs: [bigint, bigint][] = [];
    for (const a of values.slice(0, 24))
      for (const b of [3n, -7n, values[30], values[41]]) {
        pairs.push([a, b]);
      }
    for (const b of [0x9e3779b1n, 0x85ebca77n]) for (const a of nearWrap(b)) pairs.push([a, b]);
    for (const [a, b] of pairs) {
      const first = new Instance(module).exports.mul as Fn;
      assert.equal(first(a, b), s64(a * b), `first mul(${a}, ${b})`);
      assert.equal(first(b, a), s64(a * b), `second mul(${b}, ${a})`);
    }
  });

  it('eqz tests both halves', () => {
    for (const a of values) assert.equal(e.eqz(a), a === 0n ? 1 : 0, `eqz(${a})`);
  });

  it('clz counts leading zeros across both halves', () => {
    for (const a of values) {
      const expected = a === 0n ? 64n : BigInt(64 - u64(a).toString(2).length);
      assert.equal(e.clz(a), expected, `clz(${a})`);
    }
  });
});
