// The i64 helpers generated code calls (halves as int32 pairs) against BigInt arithmetic, on
// a fixed pseudo-random sample biased to the fast paths' edges (53-bit operands, divisors
// below 2^32, negative values, INT64_MIN).
import assert from 'node:assert/strict';
import * as h from '../exec/helpers';

let seed = 0x12345678;
function rand32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed | 0;
}

function sample(): [number, number] {
  const k = (rand32() >>> 0) % 8;
  if (k === 0) return [rand32(), rand32()];
  if (k === 1) return [rand32(), 0];
  if (k === 2) return [rand32(), -1];
  if (k === 3) return [rand32(), (rand32() % 0x200000) | 0];
  if (k === 4) return [0, -2147483648];
  if (k === 5) return [rand32() & 0xff, 0];
  return [rand32(), rand32() >> 12];
}

// Expectations use masks rather than BigInt.asUintN/asIntN in the loops: Node 20's TurboFan
// can crash optimizing hot loops of those (RepresentationChangerError on BigInt64 phis).
const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & M64;
const s64 = (v: bigint): bigint => ((v & M64) >= 1n << 63n ? (v & M64) - (1n << 64n) : v & M64);
const big = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);
const i32 = (v: bigint): number => Number(v & 0xffffffffn) | 0;
const halves = (v: bigint): [number, number] => [i32(v), i32(v >> 32n)];

describe('runtime i64 helpers', () => {
  it('mul, div and rem agree with BigInt', () => {
    for (let i = 0; i < 3000; i++) {
      const [al, ah] = sample();
      const [bl, bh] = sample();
      const a = big(al, ah);
      const b = big(bl, bh);
      const ua = u64(a);
      const ub = u64(b);
      const cases: [string, bigint | undefined][] = [
        ['mul64', a * b],
        ['divs64', b === 0n || (a === -(2n ** 63n) && b === -1n) ? undefined : a / b],
        ['rems64', b === 0n ? undefined : a % b],
        ['divu64', b === 0n ? undefined : ua / ub],
        ['remu64', b === 0n ? undefined : ua % ub],
      ];
      for (const [name, expected] of cases) {
        if (expected === undefined) continue;
        const fn = h[name as 'mul64'];
        const lo = fn(al, ah, bl, bh);
        assert.deepEqual([lo, h.H[0]], halves(s64(expected)), `${name}(${a}, ${b})`);
      }
    }
  });

  it('traps on division by zero and overflow', () => {
    assert.throws(() => h.divs64(1, 0, 0, 0), /integer divide by zero/);
    assert.throws(() => h.remu64(1, 0, 0, 0), /integer divide by zero/);
    assert.throws(() => h.divs64(0, -2147483648, -1, -1), /integer overflow/);
    assert.deepEqual([h.rems64(0, -2147483648, -1, -1), h.H[0]], [0, 0]);
  });

  it('shifts and rotates', () => {
    for (let i = 0; i < 1500; i++) {
      const [lo, hi] = sample();
      const n = rand32() & 127;
      const a = u64(big(lo, hi));
      const s = BigInt(n & 63);
      const rotl = u64((a << s) | (a >> ((64n - s) % 64n)));
      assert.deepEqual([h.shl64(lo, hi, n), h.H[0]], halves(a << s));
      assert.deepEqual([h.shru64(lo, hi, n), h.H[0]], halves(a >> s));
      assert.deepEqual([h.shrs64(lo, hi, n), h.H[0]], halves(s64(a) >> s));
      assert.deepEqual([h.rotl64(lo, hi, n), h.H[0]], halves(s === 0n ? a : rotl));
    }
  });
});
