// SIMD helpers for generated code. A v128 travels as four i32 lanes (lowest first); a helper
// loads its operands into scratch buffers, works lane-wise through typed-array views of the
// lane shape (Int8Array for i8x16, Float32Array for f32x4, ...) and leaves a v128 result in
// `V` (scalar results are returned). Correctness first: these are not fast paths.
import { f32bits, f32frombits, nearest } from './helpers';

interface Views {
  i8: Int8Array;
  u8: Uint8Array;
  i16: Int16Array;
  u16: Uint16Array;
  i32: Int32Array;
  u32: Uint32Array;
  i64: BigInt64Array;
  u64: BigUint64Array;
  f32: Float32Array;
  f64: Float64Array;
}
type Shape = keyof Views;

function views(): Views {
  const b = new ArrayBuffer(16);
  return {
    i8: new Int8Array(b),
    u8: new Uint8Array(b),
    i16: new Int16Array(b),
    u16: new Uint16Array(b),
    i32: new Int32Array(b),
    u32: new Uint32Array(b),
    i64: new BigInt64Array(b),
    u64: new BigUint64Array(b),
    f32: new Float32Array(b),
    f64: new Float64Array(b),
  };
}

const A = views();
const B = views();
const C = views();
const Rv = views();
/** The v128 result of the last helper, as four i32 lanes. */
export const V = Rv.i32;

function ld(v: Views, a0: number, a1: number, a2: number, a3: number): void {
  v.i32[0] = a0;
  v.i32[1] = a1;
  v.i32[2] = a2;
  v.i32[3] = a3;
}

type Lane = number & bigint;
type Helper = (...args: number[]) => number | void;

const ops: Record<string, Helper> = {};

function unop(
  name: string,
  inShape: Shape,
  outShape: Shape,
  fn: (a: Lane, i: number) => unknown,
): void {
  ops[name] = (a0, a1, a2, a3) => {
    ld(A, a0, a1, a2, a3);
    const a = A[inShape];
    const r = Rv[outShape] as unknown as unknown[];
    for (let i = 0; i < r.length; i++) r[i] = fn(a[i] as Lane, i);
  };
}

function binop(
  name: string,
  inShape: Shape,
  outShape: Shape,
  fn: (a: Lane, b: Lane, i: number) => unknown,
): void {
  ops[name] = (a0, a1, a2, a3, b0, b1, b2, b3) => {
    ld(A, a0, a1, a2, a3);
    ld(B, b0, b1, b2, b3);
    const a = A[inShape];
    const b = B[inShape];
    const r = Rv[outShape] as unknown as unknown[];
    const n = r.length;
    const tmp: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) tmp[i] = fn(a[i] as Lane, b[i] as Lane, i);
    for (let i = 0; i < n; i++) r[i] = tmp[i];
  };
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

interface IntShape {
  s: Shape;
  u: Shape;
  bits: number;
  lanes: number;
  min: number;
  max: number;
  umax: number;
}
const i8: IntShape = { s: 'i8', u: 'u8', bits: 8, lanes: 16, min: -128, max: 127, umax: 255 };
const i16: IntShape = {
  s: 'i16',
  u: 'u16',
  bits: 16,
  lanes: 8,
  min: -32768,
  max: 32767,
  umax: 65535,
};
const i32: IntShape = {
  s: 'i32',
  u: 'u32',
  bits: 32,
  lanes: 4,
  min: -2147483648,
  max: 2147483647,
  umax: 4294967295,
};

for (const [p, sh] of [
  ['i8x16', i8],
  ['i16x8', i16],
  ['i32x4', i32],
] as [string, IntShape][]) {
  const { s, u } = sh;
  binop(`${p}_add`, s, s, (a, b) => a + b);
  binop(`${p}_sub`, s, s, (a, b) => a - b);
  binop(`${p}_min_s`, s, s, (a, b) => (a < b ? a : b));
  binop(`${p}_min_u`, u, u, (a, b) => (a < b ? a : b));
  binop(`${p}_max_s`, s, s, (a, b) => (a > b ? a : b));
  binop(`${p}_max_u`, u, u, (a, b) => (a > b ? a : b));
  binop(`${p}_eq`, s, s, (a, b) => (a === b ? -1 : 0));
  binop(`${p}_ne`, s, s, (a, b) => (a !== b ? -1 : 0));
  binop(`${p}_lt_s`, s, s, (a, b) => (a < b ? -1 : 0));
  binop(`${p}_lt_u`, u, s, (a, b) => (a < b ? -1 : 0));
  binop(`${p}_gt_s`, s, s, (a, b) => (a > b ? -1 : 0));
  binop(`${p}_gt_u`, u, s, (a, b) => (a > b ? -1 : 0));
  binop(`${p}_le_s`, s, s, (a, b) => (a <= b ? -1 : 0));
  binop(`${p}_le_u`, u, s, (a, b) => (a <= b ? -1 : 0));
  binop(`${p}_ge_s`, s, s, (a, b) => (a >= b ? -1 : 0));
  binop(`${p}_ge_u`, u, s, (a, b) => (a >= b ? -1 : 0));
  unop(`${p}_abs`, s, s, (a) => (a < 0 ? -a : a));
  unop(`${p}_neg`, s, s, (a) => -a);
  const mask = sh.bits - 1;
  ops[`${p}_shl`] = (a0, a1, a2, a3, n) => {
    ld(A, a0, a1, a2, a3);
    const c = n & mask;
    for (let i = 0; i < sh.lanes; i++) Rv[s][i] = (A[s][i] as number) << c;
  };
  ops[`${p}_shr_s`] = (a0, a1, a2, a3, n) => {
    ld(A, a0, a1, a2, a3);
    const c = n & mask;
    for (let i = 0; i < sh.lanes; i++) Rv[s][i] = (A[s][i] as number) >> c;
  };
  ops[`${p}_shr_u`] = (a0, a1, a2, a3, n) => {
    ld(A, a0, a1, a2, a3);
    const c = n & mask;
    for (let i = 0; i < sh.lanes; i++) Rv[u][i] = (A[u][i] as number) >>> c;
  };
  ops[`${p}_all_true`] = (a0, a1, a2, a3) => {
    ld(A, a0, a1, a2, a3);
    for (let i = 0; i < sh.lanes; i++) if (A[s][i] === 0) return 0;
    return 1;
  };
  ops[`${p}_bitmask`] = (a0, a1, a2, a3) => {
    ld(A, a0, a1, a2, a3);
    let m = 0;
    for (let i = 0; i < sh.lanes; i++) if ((A[s][i] as number) < 0) m |= 1 << i;
    return m;
  };
  if (sh.bits < 32) {
    binop(`${p}_add_sat_s`, s, s, (a, b) => clamp(a + b, sh.min, sh.max));
    binop(`${p}_add_sat_u`, u, u, (a, b) => clamp(a + b, 0, sh.umax));
    binop(`${p}_sub_sat_s`, s, s, (a, b) => clamp(a - b, sh.min, sh.max));
    binop(`${p}_sub_sat_u`, u, u, (a, b) => clamp(a - b, 0, sh.umax));
    binop(`${p}_avgr_u`, u, u, (a, b) => (a + b + 1) >>> 1);
  }
}
binop('i16x8_mul', 'i16', 'i16', (a, b) => Math.imul(a, b));
binop('i32x4_mul', 'i32', 'i32', (a, b) => Math.imul(a, b));
unop('i8x16_popcnt', 'u8', 'u8', (a) => {
  let c = 0;
  for (let x = a as number; x; x &= x - 1) c++;
  return c;
});
binop('i16x8_q15mulr_sat_s', 'i16', 'i16', (a, b) => clamp((a * b + 0x4000) >> 15, -32768, 32767));

/** Narrowing: lanes of a then b, saturated into the narrower shape. */
function narrow(name: string, from: Shape, to: Shape, lo: number, hi: number, lanes: number): void {
  ops[name] = (a0, a1, a2, a3, b0, b1, b2, b3) => {
    ld(A, a0, a1, a2, a3);
    ld(B, b0, b1, b2, b3);
    for (let i = 0; i < lanes; i++) {
      Rv[to][i] = clamp(A[from][i] as number, lo, hi);
      Rv[to][i + lanes] = clamp(B[from][i] as number, lo, hi);
    }
  };
}
narrow('i8x16_narrow_i16x8_s', 'i16', 'i8', -128, 127, 8);
narrow('i8x16_narrow_i16x8_u', 'i16', 'u8', 0, 255, 8);
narrow('i16x8_narrow_i32x4_s', 'i32', 'i16', -32768, 32767, 4);
narrow('i16x8_narrow_i32x4_u', 'i32', 'u16', 0, 65535, 4);

/** Widening of the low or high half, extended pairwise adds and extended multiplies. */
function widen(p: string, from: string, fs: Shape, fu: Shape, to: Shape, lanes: number): void {
  for (const [half, off] of [
    ['low', 0],
    ['high', lanes],
  ] as [string, number][]) {
    for (const [sign, view] of [
      ['s', fs],
      ['u', fu],
    ] as [string, Shape][]) {
      ops[`${p}_extend_${half}_${from}_${sign}`] = (a0, a1, a2, a3) => {
        ld(A, a0, a1, a2, a3);
        const r = Rv[to] as unknown as unknown[];
        for (let i = 0; i < lanes; i++)
          r[i] = to === 'i64' ? BigInt(A[view][i + off]) : A[view][i + off];
      };
      ops[`${p}_extmul_${half}_${from}_${sign}`] = (a0, a1, a2, a3, b0, b1, b2, b3) => {
        ld(A, a0, a1, a2, a3);
        ld(B, b0, b1, b2, b3);
        const r = Rv[to] as unknown as unknown[];
        for (let i = 0; i < lanes; i++) {
          const x = A[view][i + off] as number;
          const y = B[view][i + off] as number;
          r[i] = to === 'i64' ? BigInt(x) * BigInt(y) : x * y;
        }
      };
    }
  }
  if (to !== 'i64') {
    for (const [sign, view] of [
      ['s', fs],
      ['u', fu],
    ] as [string, Shape][]) {
      ops[`${p}_extadd_pairwise_${from}_${sign}`] = (a0, a1, a2, a3) => {
        ld(A, a0, a1, a2, a3);
        for (let i = 0; i < lanes; i++) {
          Rv[to][i] = (A[view][2 * i] as number) + (A[view][2 * i + 1] as number);
        }
      };
    }
  }
}
widen('i16x8', 'i8x16', 'i8', 'u8', 'i16', 8);
widen('i32x4', 'i16x8', 'i16', 'u16', 'i32', 4);
widen('i64x2', 'i32x4', 'i32', 'u32', 'i64', 2);
ops.i32x4_dot_i16x8_s = (a0, a1, a2, a3, b0, b1, b2, b3) => {
  ld(A, a0, a1, a2, a3);
  ld(B, b0, b1, b2, b3);
  for (let i = 0; i < 4; i++) {
    Rv.i32[i] = A.i16[2 * i] * B.i16[2 * i] + A.i16[2 * i + 1] * B.i16[2 * i + 1];
  }
};

// i64x2 through BigInt lanes.
binop('i64x2_add', 'i64', 'i64', (a, b) => a + b);
binop('i64x2_sub', 'i64', 'i64', (a, b) => a - b);
binop('i64x2_mul', 'i64', 'i64', (a, b) => a * b);
binop('i64x2_eq', 'i64', 'i64', (a, b) => (a === b ? -1n : 0n));
binop('i64x2_ne', 'i64', 'i64', (a, b) => (a !== b ? -1n : 0n));
binop('i64x2_lt_s', 'i64', 'i64', (a, b) => (a < b ? -1n : 0n));
binop('i64x2_gt_s', 'i64', 'i64', (a, b) => (a > b ? -1n : 0n));
binop('i64x2_le_s', 'i64', 'i64', (a, b) => (a <= b ? -1n : 0n));
binop('i64x2_ge_s', 'i64', 'i64', (a, b) => (a >= b ? -1n : 0n));
unop('i64x2_abs', 'i64', 'i64', (a) => (a < 0n ? -a : a));
unop('i64x2_neg', 'i64', 'i64', (a) => -a);
ops.i64x2_shl = (a0, a1, a2, a3, n) => {
  ld(A, a0, a1, a2, a3);
  for (let i = 0; i < 2; i++) Rv.i64[i] = A.i64[i] << BigInt(n & 63);
};
ops.i64x2_shr_s = (a0, a1, a2, a3, n) => {
  ld(A, a0, a1, a2, a3);
  for (let i = 0; i < 2; i++) Rv.i64[i] = A.i64[i] >> BigInt(n & 63);
};
ops.i64x2_shr_u = (a0, a1, a2, a3, n) => {
  ld(A, a0, a1, a2, a3);
  for (let i = 0; i < 2; i++) Rv.u64[i] = A.u64[i] >> BigInt(n & 63);
};
ops.i64x2_all_true = (a0, a1, a2, a3) => ((a0 | a1) !== 0 && (a2 | a3) !== 0 ? 1 : 0);
ops.i64x2_bitmask = (_a0, a1, _a2, a3) => (a1 >>> 31) | ((a3 >>> 31) << 1);

// Floats.
for (const [p, s] of [
  ['f32x4', 'f32'],
  ['f64x2', 'f64'],
] as [string, Shape][]) {
  binop(`${p}_add`, s, s, (a, b) => a + b);
  binop(`${p}_sub`, s, s, (a, b) => a - b);
  binop(`${p}_mul`, s, s, (a, b) => a * b);
  binop(`${p}_div`, s, s, (a, b) => a / b);
  binop(`${p}_min`, s, s, (a, b) => Math.min(a, b));
  binop(`${p}_max`, s, s, (a, b) => Math.max(a, b));
  unop(`${p}_sqrt`, s, s, (a) => Math.sqrt(a));
  // A NaN operand must come out quiet (Math.ceil and friends may pass a signalling one through).
  unop(`${p}_ceil`, s, s, (a) => (a === a ? Math.ceil(a) : a + a));
  unop(`${p}_floor`, s, s, (a) => (a === a ? Math.floor(a) : a + a));
  unop(`${p}_trunc`, s, s, (a) => (a === a ? Math.trunc(a) : a + a));
  unop(`${p}_nearest`, s, s, (a) => (a === a ? nearest(a) : a + a));
  // pmin/pmax select one operand's bits unchanged.
  const bits: Shape = s === 'f32' ? 'i32' : 'i64';
  for (const [suffix, takeB] of [
    ['pmin', (a: number, b: number) => b < a],
    ['pmax', (a: number, b: number) => a < b],
  ] as [string, (a: number, b: number) => boolean][]) {
    ops[`${p}_${suffix}`] = (a0, a1, a2, a3, b0, b1, b2, b3) => {
      ld(A, a0, a1, a2, a3);
      ld(B, b0, b1, b2, b3);
      const n = s === 'f32' ? 4 : 2;
      for (let i = 0; i < n; i++) {
        const src = takeB(A[s][i] as number, B[s][i] as number) ? B : A;
        (Rv[bits] as unknown as unknown[])[i] = src[bits][i];
      }
    };
  }
  const out: Shape = s === 'f32' ? 'i32' : 'i64';
  const t = s === 'f32' ? -1 : -1n;
  const f = s === 'f32' ? 0 : 0n;
  binop(`${p}_eq`, s, out, (a, b) => (a === b ? t : f));
  binop(`${p}_ne`, s, out, (a, b) => (a !== b ? t : f));
  binop(`${p}_lt`, s, out, (a, b) => (a < b ? t : f));
  binop(`${p}_gt`, s, out, (a, b) => (a > b ? t : f));
  binop(`${p}_le`, s, out, (a, b) => (a <= b ? t : f));
  binop(`${p}_ge`, s, out, (a, b) => (a >= b ? t : f));
}
// abs/neg are sign-bit operations (NaN payloads kept).
unop('f32x4_abs', 'i32', 'i32', (a) => a & 0x7fffffff);
unop('f32x4_neg', 'i32', 'i32', (a) => a ^ 0x80000000);
unop('f64x2_abs', 'i32', 'i32', (a, i) => (i & 1 ? a & 0x7fffffff : a));
unop('f64x2_neg', 'i32', 'i32', (a, i) => (i & 1 ? a ^ 0x80000000 : a));

const satS32 = (x: number): number => (x !== x ? 0 : clamp(Math.trunc(x), -2147483648, 2147483647));
const satU32 = (x: number): number => (x !== x ? 0 : clamp(Math.trunc(x), 0, 4294967295));
unop('i32x4_trunc_sat_f32x4_s', 'f32', 'i32', satS32);
unop('i32x4_trunc_sat_f32x4_u', 'f32', 'u32', satU32);
unop('f32x4_convert_i32x4_s', 'i32', 'f32', (a) => a);
unop('f32x4_convert_i32x4_u', 'u32', 'f32', (a) => a);
function zeroTail(name: string, from: Shape, to: Shape, fn: (x: number) => number): void {
  ops[name] = (a0, a1, a2, a3) => {
    ld(A, a0, a1, a2, a3);
    const x = A[from][0] as number;
    const y = A[from][1] as number;
    Rv.i32.fill(0);
    (Rv[to] as unknown as number[])[0] = fn(x);
    (Rv[to] as unknown as number[])[1] = fn(y);
  };
}
zeroTail('i32x4_trunc_sat_f64x2_s_zero', 'f64', 'i32', satS32);
zeroTail('i32x4_trunc_sat_f64x2_u_zero', 'f64', 'u32', satU32);
zeroTail('f32x4_demote_f64x2_zero', 'f64', 'f32', (x) => x);
unop('f64x2_convert_low_i32x4_s', 'i32', 'f64', (_a, i) => A.i32[i]);
unop('f64x2_convert_low_i32x4_u', 'u32', 'f64', (_a, i) => A.u32[i]);
unop('f64x2_promote_low_f32x4', 'f32', 'f64', (_a, i) => A.f32[i]);

// Lanes, splats, swizzle, shuffle.
ops.i8x16_swizzle = (a0, a1, a2, a3, b0, b1, b2, b3) => {
  ld(A, a0, a1, a2, a3);
  ld(B, b0, b1, b2, b3);
  for (let i = 0; i < 16; i++) Rv.u8[i] = B.u8[i] < 16 ? A.u8[B.u8[i]] : 0;
};
/** The 16 lane indices arrive packed four to an i32 (k0..k3). */
ops.i8x16_shuffle = (a0, a1, a2, a3, b0, b1, b2, b3, k0, k1, k2, k3) => {
  ld(A, a0, a1, a2, a3);
  ld(B, b0, b1, b2, b3);
  ld(C, k0, k1, k2, k3);
  for (let i = 0; i < 16; i++) {
    const k = C.u8[i];
    Rv.u8[i] = k < 16 ? A.u8[k] : B.u8[k - 16];
  }
};
ops.i8x16_splat = (x) => void Rv.i8.fill(x);
ops.i16x8_splat = (x) => void Rv.i16.fill(x);
ops.i32x4_splat = (x) => void Rv.i32.fill(x);
ops.i64x2_splat = (lo, hi) => {
  Rv.i32[0] = Rv.i32[2] = lo;
  Rv.i32[1] = Rv.i32[3] = hi;
};
ops.f32x4_splat = (x) => void Rv.i32.fill(f32bits(x));
ops.f64x2_splat = (x) => void Rv.f64.fill(x);

ops.i8x16_extract_lane_s = (a0, a1, a2, a3, l) => (ld(A, a0, a1, a2, a3), A.i8[l]);
ops.i8x16_extract_lane_u = (a0, a1, a2, a3, l) => (ld(A, a0, a1, a2, a3), A.u8[l]);
ops.i16x8_extract_lane_s = (a0, a1, a2, a3, l) => (ld(A, a0, a1, a2, a3), A.i16[l]);
ops.i16x8_extract_lane_u = (a0, a1, a2, a3, l) => (ld(A, a0, a1, a2, a3), A.u16[l]);
ops.f32x4_extract_lane = (a0, a1, a2, a3, l) => f32frombits([a0, a1, a2, a3][l]);
ops.f64x2_extract_lane = (a0, a1, a2, a3, l) => (ld(A, a0, a1, a2, a3), A.f64[l]);
function replace(name: string, shape: Shape, conv: (v: number) => number = (v) => v): void {
  ops[name] = (a0, a1, a2, a3, v, l) => {
    ld(Rv, a0, a1, a2, a3);
    (Rv[shape] as unknown as number[])[l] = conv(v);
  };
}
replace('i8x16_replace_lane', 'i8');
replace('i16x8_replace_lane', 'i16');
replace('f32x4_replace_lane', 'i32', f32bits);
replace('f64x2_replace_lane', 'f64');

// Memory: the DataView, the effective address, then lanes/lane index as needed.
function loadExtend(
  name: string,
  get: 'getInt8' | 'getUint8' | 'getInt16' | 'getUint16' | 'getInt32' | 'getUint32',
  to: Shape,
  size: number,
): void {
  ops[name] = ((m: DataView, e: number) => {
    const lanes = 8 / size;
    const vals: number[] = [];
    for (let i = 0; i < lanes; i++) vals.push(m[get](e + i * size, true));
    const r = Rv[to] as unknown as unknown[];
    for (let i = 0; i < lanes; i++) r[i] = to === 'i64' ? BigInt(vals[i]) : vals[i];
  }) as unknown as Helper;
}
loadExtend('v128_load8x8_s', 'getInt8', 'i16', 1);
loadExtend('v128_load8x8_u', 'getUint8', 'i16', 1);
loadExtend('v128_load16x4_s', 'getInt16', 'i32', 2);
loadExtend('v128_load16x4_u', 'getUint16', 'i32', 2);
loadExtend('v128_load32x2_s', 'getInt32', 'i64', 4);
loadExtend('v128_load32x2_u', 'getUint32', 'i64', 4);
ops.v128_load8_splat = ((m: DataView, e: number) =>
  void Rv.i8.fill(m.getInt8(e))) as unknown as Helper;
ops.v128_load16_splat = ((m: DataView, e: number) =>
  void Rv.i16.fill(m.getInt16(e, true))) as unknown as Helper;
ops.v128_load32_splat = ((m: DataView, e: number) =>
  void Rv.i32.fill(m.getInt32(e, true))) as unknown as Helper;
ops.v128_load64_splat = ((m: DataView, e: number) => {
  const hi = m.getInt32(e + 4, true);
  const lo = m.getInt32(e, true);
  Rv.i32[0] = Rv.i32[2] = lo;
  Rv.i32[1] = Rv.i32[3] = hi;
}) as unknown as Helper;
const laneAccess: Record<
  number,
  [
    Shape,
    'getInt8' | 'getInt16' | 'getInt32' | 'getBigInt64',
    'setInt8' | 'setInt16' | 'setInt32' | 'setBigInt64',
  ]
> = {
  1: ['i8', 'getInt8', 'setInt8'],
  2: ['i16', 'getInt16', 'setInt16'],
  4: ['i32', 'getInt32', 'setInt32'],
  8: ['i64', 'getBigInt64', 'setBigInt64'],
};
for (const size of [1, 2, 4, 8]) {
  const [shape, get, set] = laneAccess[size];
  ops[`v128_load${size * 8}_lane`] = ((
    m: DataView,
    e: number,
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    l: number,
  ) => {
    const v = m[get](e, true);
    ld(Rv, a0, a1, a2, a3);
    (Rv[shape] as unknown as unknown[])[l] = v;
  }) as unknown as Helper;
  ops[`v128_store${size * 8}_lane`] = ((
    m: DataView,
    e: number,
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    l: number,
  ) => {
    ld(A, a0, a1, a2, a3);
    (m[set] as (o: number, v: unknown, le: boolean) => void).call(m, e, A[shape][l], true);
  }) as unknown as Helper;
}

/** Helpers by instruction name with dots as underscores (`i8x16_add`). */
export const simd = ops;
