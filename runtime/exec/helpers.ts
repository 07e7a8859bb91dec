// Runtime helpers called by generated code: traps, the i64 operations too long to inline,
// float conversions with the spec's trapping and rounding rules, raw-bit reinterpretation,
// table and bulk-memory operations, and the interrupt poll. Generated code binds them by name
// (see codegen/compile.ts), so every exported function here is part of that contract.
import { Interrupted, RuntimeError } from './errors';
import { FuncRef, MemoryStore, TableStore } from './store';
import { wasmBacktrace } from './module-record';

/** High half of an i64 result returned by a helper. */
export const H = new Int32Array(2);
/** Extra results of a multi-value (or i64) function return, after the first value. */
export const X: unknown[] = new Array(64).fill(0);
/** Locals written by an outlined chunk of a split function, handed back to its caller. */
export const XL = new Float64Array(4096);
export const XR: unknown[] = new Array(64).fill(null);

/** Throws a RuntimeError whose message is the spec's wording followed by a Wasm backtrace. */
export function trap(message: string): never {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  const trace = wasmBacktrace(stack);
  const err = new RuntimeError(trace ? `${message}\n${trace}` : message);
  if (trace) err.stack = `RuntimeError: ${message}\n${trace}`;
  throw err;
}

// --- i32 ---------------------------------------------------------------------------------

export function ctz32(a: number): number {
  return a === 0 ? 32 : 31 - Math.clz32(a & -a);
}

export function popcnt32(a: number): number {
  a = a - ((a >>> 1) & 0x55555555);
  a = (a & 0x33333333) + ((a >>> 2) & 0x33333333);
  return (Math.imul((a + (a >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}

export function divs32(a: number, b: number): number {
  if (b === 0) trap('integer divide by zero');
  if (a === -2147483648 && b === -1) trap('integer overflow');
  return (a / b) | 0;
}

export function divu32(a: number, b: number): number {
  if (b === 0) trap('integer divide by zero');
  return ((a >>> 0) / (b >>> 0)) | 0;
}

export function rems32(a: number, b: number): number {
  if (b === 0) trap('integer divide by zero');
  return (a % b) | 0;
}

export function remu32(a: number, b: number): number {
  if (b === 0) trap('integer divide by zero');
  return ((a >>> 0) % (b >>> 0)) | 0;
}

// --- i64 as (low, high) int32 halves; results return the low half, high half in H[0] -------

/**
 * i64.mul: the high word of the unsigned 32x32 low product comes from the double product,
 * corrected by the exact low word (generated code inlines this, with a fast path that skips
 * the correction; see codegen/numeric.ts).
 */
export function mul64(al: number, ah: number, bl: number, bh: number): number {
  const lo = Math.imul(al, bl);
  const carry = (((al >>> 0) * (bl >>> 0) - (lo >>> 0)) * 2.3283064365386963e-10 + 0.5) | 0;
  H[0] = (Math.imul(al, bh) + Math.imul(ah, bl) + carry) | 0;
  return lo;
}

function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

function fromBig(v: bigint): number {
  H[0] = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}

// Division: operands that fit in 53 bits use exact double arithmetic (trunc(a / b) is exact
// for |a|, |b| < 2^53); the rest goes through BigInt.
const fitsSigned = (hi: number): boolean => (hi + 0x200000) >>> 0 < 0x400000;
const fitsUnsigned = (hi: number): boolean => hi >>> 0 < 0x200000;

/**
 * Unsigned 64-bit by 32-bit division by 16-bit long division in doubles (every partial
 * remainder times 2^16 plus a digit stays below 2^48, so all steps are exact). Returns the
 * quotient's low half (high half in H[0]) and leaves the remainder in `shortRemainder`.
 */
let shortRemainder = 0;
function divShort(lo: number, hi: number, b: number): number {
  const h = hi >>> 0;
  const l = lo >>> 0;
  const q3 = Math.floor(h / b);
  let r = h - q3 * b;
  let n = r * 65536 + (l >>> 16);
  const q1 = Math.floor(n / b);
  r = n - q1 * b;
  n = r * 65536 + (l & 0xffff);
  const q0 = Math.floor(n / b);
  shortRemainder = n - q0 * b;
  H[0] = q3 | 0;
  return ((q1 << 16) + q0) | 0;
}

/** Two's complement negation of (lo, hi): low half returned, high half in H[0]. */
function neg64(lo: number, hi: number): number {
  const nlo = -lo | 0;
  H[0] = (~hi + (nlo === 0 ? 1 : 0)) | 0;
  return nlo;
}

export function divs64(al: number, ah: number, bl: number, bh: number): number {
  if (bl === 0 && bh === 0) trap('integer divide by zero');
  if (fitsSigned(ah) && fitsSigned(bh)) {
    return split64(Math.trunc((ah * 4294967296 + (al >>> 0)) / (bh * 4294967296 + (bl >>> 0))));
  }
  if (al === 0 && ah === -2147483648 && bl === -1 && bh === -1) trap('integer overflow');
  if (bh === 0 || (bh === -1 && bl !== 0)) {
    // |b| < 2^32: divide magnitudes, then fix the sign.
    const negA = ah < 0;
    const negB = bh < 0;
    let ml = al;
    let mh = ah;
    if (negA) {
      ml = neg64(al, ah);
      mh = H[0];
    }
    const mb = negB ? -bl >>> 0 : bl >>> 0;
    const ql = divShort(ml, mh, mb);
    return negA !== negB ? neg64(ql, H[0]) : ql;
  }
  return fromBig(toBig(al, ah) / toBig(bl, bh));
}

export function divu64(al: number, ah: number, bl: number, bh: number): number {
  if (bl === 0 && bh === 0) trap('integer divide by zero');
  if (fitsUnsigned(ah) && fitsUnsigned(bh)) {
    return split64(
      Math.trunc(((ah >>> 0) * 4294967296 + (al >>> 0)) / ((bh >>> 0) * 4294967296 + (bl >>> 0))),
    );
  }
  if (bh === 0) return divShort(al, ah, bl >>> 0);
  return fromBig(BigInt.asUintN(64, toBig(al, ah)) / BigInt.asUintN(64, toBig(bl, bh)));
}

export function rems64(al: number, ah: number, bl: number, bh: number): number {
  if (bl === 0 && bh === 0) trap('integer divide by zero');
  if (fitsSigned(ah) && fitsSigned(bh)) {
    const a = ah * 4294967296 + (al >>> 0);
    const b = bh * 4294967296 + (bl >>> 0);
    return split64(a - Math.trunc(a / b) * b);
  }
  if (bh === 0 || (bh === -1 && bl !== 0)) {
    const negA = ah < 0;
    let ml = al;
    let mh = ah;
    if (negA) {
      ml = neg64(al, ah);
      mh = H[0];
    }
    divShort(ml, mh, bh < 0 ? -bl >>> 0 : bl >>> 0);
    H[0] = 0;
    const r = shortRemainder;
    return negA ? neg64(r | 0, 0) : r | 0;
  }
  return fromBig(toBig(al, ah) % toBig(bl, bh));
}

export function remu64(al: number, ah: number, bl: number, bh: number): number {
  if (bl === 0 && bh === 0) trap('integer divide by zero');
  if (fitsUnsigned(ah) && fitsUnsigned(bh)) {
    const a = (ah >>> 0) * 4294967296 + (al >>> 0);
    const b = (bh >>> 0) * 4294967296 + (bl >>> 0);
    return split64(a - Math.trunc(a / b) * b);
  }
  if (bh === 0) {
    divShort(al, ah, bl >>> 0);
    H[0] = 0;
    return shortRemainder | 0;
  }
  return fromBig(BigInt.asUintN(64, toBig(al, ah)) % BigInt.asUintN(64, toBig(bl, bh)));
}

export function shl64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    H[0] = hi;
    return lo;
  }
  if (n < 32) {
    H[0] = (hi << n) | (lo >>> (32 - n));
    return lo << n;
  }
  H[0] = lo << (n - 32);
  return 0;
}

export function shru64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    H[0] = hi;
    return lo;
  }
  if (n < 32) {
    H[0] = hi >>> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  H[0] = 0;
  return (hi >>> (n - 32)) | 0;
}

export function shrs64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    H[0] = hi;
    return lo;
  }
  if (n < 32) {
    H[0] = hi >> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  H[0] = hi >> 31;
  return hi >> (n - 32);
}

export function rotl64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    n -= 32;
  }
  if (n === 0) {
    H[0] = hi;
    return lo;
  }
  H[0] = (hi << n) | (lo >>> (32 - n));
  return (lo << n) | (hi >>> (32 - n));
}

export function rotr64(lo: number, hi: number, n: number): number {
  return rotl64(lo, hi, 64 - (n & 63));
}

export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

export function ctz64(lo: number, hi: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

// --- float <-> integer conversions ---------------------------------------------------------

export function truncs32(x: number): number {
  if (x !== x) trap('invalid conversion to integer');
  if (x <= -2147483649 || x >= 2147483648) trap('integer overflow');
  return x | 0;
}

export function truncu32(x: number): number {
  if (x !== x) trap('invalid conversion to integer');
  if (x <= -1 || x >= 4294967296) trap('integer overflow');
  return x | 0;
}

export function truncsats32(x: number): number {
  if (x !== x) return 0;
  if (x <= -2147483648) return -2147483648;
  if (x >= 2147483647) return 2147483647;
  return x | 0;
}

export function truncsatu32(x: number): number {
  if (x !== x || x <= 0) return 0;
  if (x >= 4294967295) return -1;
  return x | 0;
}

function split64(t: number): number {
  const hi = Math.floor(t / 4294967296);
  H[0] = hi | 0;
  return (t - hi * 4294967296) | 0;
}

export function truncs64(x: number): number {
  if (x !== x) trap('invalid conversion to integer');
  if (x < -9223372036854775808 || x >= 9223372036854775808) trap('integer overflow');
  return split64(Math.trunc(x));
}

export function truncu64(x: number): number {
  if (x !== x) trap('invalid conversion to integer');
  if (x <= -1 || x >= 18446744073709551616) trap('integer overflow');
  return split64(Math.trunc(x));
}

export function truncsats64(x: number): number {
  if (x !== x) {
    H[0] = 0;
    return 0;
  }
  if (x < -9223372036854775808) {
    H[0] = -2147483648;
    return 0;
  }
  if (x >= 9223372036854775808) {
    H[0] = 2147483647;
    return -1;
  }
  return split64(Math.trunc(x));
}

export function truncsatu64(x: number): number {
  if (x !== x || x <= 0) {
    H[0] = 0;
    return 0;
  }
  if (x >= 18446744073709551616) {
    H[0] = -1;
    return -1;
  }
  return split64(Math.trunc(x));
}

/**
 * Unsigned 64-bit magnitude to f32 with one rounding: above 2^53 the bits the f64 step would
 * round away are folded into a sticky bit first, so the f64 step is exact.
 */
function magnitudeToF32(lo: number, hi: number): number {
  if (hi >>> 0 >= 0x200000 && (lo & 0x7ff) !== 0) lo = (lo & ~0x7ff) | 0x800;
  return Math.fround((hi >>> 0) * 4294967296 + (lo >>> 0));
}

export function convu64f32(lo: number, hi: number): number {
  return magnitudeToF32(lo, hi);
}

export function convs64f32(lo: number, hi: number): number {
  if (hi >= 0) return magnitudeToF32(lo, hi);
  // Negate: two's complement of the 64-bit value.
  const nlo = -lo | 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) | 0;
  return -magnitudeToF32(nlo, nhi);
}

// --- floats -------------------------------------------------------------------------------

const scratch = new ArrayBuffer(8);
const F32 = new Float32Array(scratch);
const F64 = new Float64Array(scratch);
const I32 = new Int32Array(scratch);

/** Round to nearest, ties to even, keeping the sign of zero. */
export function nearest(x: number): number {
  if (x !== x || x === Infinity || x === -Infinity || x === 0) return x;
  const f = Math.floor(x);
  const d = x - f;
  let r: number;
  if (d < 0.5) r = f;
  else if (d > 0.5) r = f + 1;
  else r = f % 2 === 0 ? f : f + 1;
  return r === 0 ? (x < 0 ? -0 : 0) : r;
}

/** f64 min/max: a NaN operand gives a quiet NaN (V8 may hand back a signalling one). */
export function fmin(a: number, b: number): number {
  const r = Math.min(a, b);
  return r === r ? r : r + r;
}

export function fmax(a: number, b: number): number {
  const r = Math.max(a, b);
  return r === r ? r : r + r;
}

export function copysign(a: number, b: number): number {
  F64[0] = b;
  const sign = I32[1] & 0x80000000;
  F64[0] = a;
  I32[1] = (I32[1] & 0x7fffffff) | sign;
  return F64[0];
}

/**
 * f32 values live in doubles. A NaN f32 is kept as the double NaN whose payload is the f32
 * payload shifted up (what a non-quieting conversion would give), so signalling NaNs and their
 * payloads survive moves, locals, calls, abs/neg/copysign and reinterpretation; the hardware
 * f32<->f64 conversions would quiet them.
 */
export function f32bits(x: number): number {
  if (x === x) {
    F32[0] = x;
    return I32[0];
  }
  F64[0] = x;
  const hi = I32[1];
  return (hi & 0x80000000) | 0x7f800000 | ((hi & 0xfffff) << 3) | (I32[0] >>> 29);
}

export function f32frombits(bits: number): number {
  if ((bits & 0x7f800000) !== 0x7f800000 || (bits & 0x7fffff) === 0) {
    I32[0] = bits;
    return F32[0];
  }
  I32[1] = (bits & 0x80000000) | 0x7ff00000 | ((bits & 0x7fffff) >>> 3);
  I32[0] = bits << 29;
  return F64[0];
}

export function f64bits(x: number): number {
  F64[0] = x;
  H[0] = I32[1];
  return I32[0];
}

export function f64frombits(lo: number, hi: number): number {
  I32[0] = lo;
  I32[1] = hi;
  return F64[0];
}

// --- tables -------------------------------------------------------------------------------

/** call_indirect: the callee's internal function after the bounds, null and type checks. */
export function callee(t: TableStore, i: number, type: number): FuncRef['f'] {
  const elems = t.elems;
  i = i >>> 0;
  if (i >= elems.length) trap('undefined element');
  const ref = elems[i] as FuncRef | null;
  if (ref === null) trap('uninitialized element');
  if (ref.typeId !== type) trap('indirect call type mismatch');
  return ref.f;
}

export function tableGet(t: TableStore, i: number): unknown {
  i = i >>> 0;
  if (i >= t.elems.length) trap('out of bounds table access');
  return t.elems[i];
}

export function tableSet(t: TableStore, i: number, v: unknown): void {
  i = i >>> 0;
  if (i >= t.elems.length) trap('out of bounds table access');
  t.elems[i] = v;
}

export function tableGrow(t: TableStore, init: unknown, n: number): number {
  return t.grow(n, init);
}

export function tableFill(t: TableStore, i: number, v: unknown, n: number): void {
  i = i >>> 0;
  n = n >>> 0;
  if (i + n > t.elems.length) trap('out of bounds table access');
  for (let k = 0; k < n; k++) t.elems[i + k] = v;
}

export function tableCopy(dst: TableStore, src: TableStore, d: number, s: number, n: number): void {
  d = d >>> 0;
  s = s >>> 0;
  n = n >>> 0;
  if (s + n > src.elems.length || d + n > dst.elems.length) trap('out of bounds table access');
  if (dst === src && d > s) for (let k = n - 1; k >= 0; k--) dst.elems[d + k] = src.elems[s + k];
  else for (let k = 0; k < n; k++) dst.elems[d + k] = src.elems[s + k];
}

export function tableInit(t: TableStore, seg: unknown[], d: number, s: number, n: number): void {
  d = d >>> 0;
  s = s >>> 0;
  n = n >>> 0;
  if (s + n > seg.length || d + n > t.elems.length) trap('out of bounds table access');
  for (let k = 0; k < n; k++) t.elems[d + k] = seg[s + k];
}

// --- bulk memory --------------------------------------------------------------------------

export function memoryInit(m: MemoryStore, seg: Uint8Array, d: number, s: number, n: number): void {
  d = d >>> 0;
  s = s >>> 0;
  n = n >>> 0;
  if (s + n > seg.length || d + n > m.buffer.byteLength) trap('out of bounds memory access');
  m.u8.set(seg.subarray(s, s + n), d);
}

export function memoryCopy(m: MemoryStore, d: number, s: number, n: number): void {
  d = d >>> 0;
  s = s >>> 0;
  n = n >>> 0;
  const len = m.buffer.byteLength;
  if (s + n > len || d + n > len) trap('out of bounds memory access');
  m.u8.copyWithin(d, s, s + n);
}

export function memoryFill(m: MemoryStore, d: number, v: number, n: number): void {
  d = d >>> 0;
  n = n >>> 0;
  if (d + n > m.buffer.byteLength) trap('out of bounds memory access');
  m.u8.fill(v & 0xff, d, d + n);
}

// --- interruption -------------------------------------------------------------------------

const noFlag: Int32Array = new Int32Array(1);
/** The interrupt flag generated code polls (flag[0]: 0 run, 1 pause, 2 stop). */
export const interrupt = { flag: noFlag };

/**
 * Sets this thread's interrupt flag. Install before the instance's functions first run; polls
 * are compiled in only then: functions are generated lazily (once per module, at their first
 * call) and a function generated while no flag is installed carries no poll code at all.
 * Generated code also binds the flag itself when a function is first called in an instance.
 */
export function setInterruptFlag(flag: Int32Array | undefined): void {
  interrupt.flag = flag ?? noFlag;
}

/** Whether an interrupt flag is installed (the code generator emits polls only then). */
export function interruptFlagInstalled(): boolean {
  return interrupt.flag !== noFlag;
}

/** Called when flag[0] !== 0: waits while paused, throws Interrupted on stop. */
export function poll(flag: Int32Array): void {
  for (;;) {
    const state = Atomics.load(flag, 0);
    if (state === 0) return;
    if (state === 2) throw new Interrupted();
    Atomics.wait(flag, 0, state);
  }
}

// --- constants generated code refers to -------------------------------------------------

/** What a dropped data segment becomes. */
export const EMPTY8 = new Uint8Array(0);
/** What a dropped element segment becomes. */
export const EMPTYA: unknown[] = [];
