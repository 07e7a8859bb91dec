// Typing rules of the regular instructions, as data: for each opcode the operand types it pops
// and the type it pushes. Covers the MVP numeric instructions, sign extension, the
// non-trapping float-to-int conversions (0xFC 0-7), loads and stores with their natural
// alignment, and the SIMD (0xFD) instructions. Irregular instructions (control, calls,
// variables, tables, references, select, lanes, bulk memory) are typed by hand in body.ts.
import { ValType } from '../model';

/** An instruction type [params] -> [result?]. */
export interface Signature {
  readonly params: readonly ValType[];
  /** The single pushed type, or undefined for none. */
  readonly result: ValType | undefined;
}

/** A load or store: its signature plus the log2 of its natural alignment in bytes. */
export interface MemorySignature extends Signature {
  readonly naturalAlign: number;
}

/** A SIMD lane instruction: its signature plus the lane count (lane index bound). */
export interface LaneSignature extends Signature {
  readonly lanes: number;
}

/** A SIMD load/store-lane: memory access plus a lane index. */
export interface MemoryLaneSignature extends MemorySignature {
  readonly lanes: number;
}

const i32 = ValType.i32;
const i64 = ValType.i64;
const f32 = ValType.f32;
const f64 = ValType.f64;
const v128 = ValType.v128;

/**
 * Every table entry is built by this one literal, so all share one object shape and the
 * validator's hot `apply` stays monomorphic.
 */
function entry(
  params: ValType[],
  result: ValType | undefined,
  naturalAlign: number | undefined,
  lanes: number | undefined,
): Signature & { naturalAlign: number | undefined; lanes: number | undefined } {
  return { params, result, naturalAlign, lanes };
}

function sig(params: ValType[], result?: ValType): Signature {
  return entry(params, result, undefined, undefined);
}
const unary = (t: ValType, r: ValType = t): Signature => sig([t], r);
const binary = (t: ValType, r: ValType = t): Signature => sig([t, t], r);

function range<T>(table: (T | undefined)[], from: number, to: number, value: T): void {
  for (let op = from; op <= to; op++) table[op] = value;
}

/** Single-byte opcodes 0x45-0xC4: comparisons, arithmetic, conversions, sign extension. */
export const numericOps: (Signature | undefined)[] = new Array(256).fill(undefined);
range(numericOps, 0x45, 0x45, unary(i32)); // i32.eqz
range(numericOps, 0x46, 0x4f, binary(i32)); // i32.eq .. i32.ge_u
range(numericOps, 0x50, 0x50, unary(i64, i32)); // i64.eqz
range(numericOps, 0x51, 0x5a, binary(i64, i32)); // i64.eq .. i64.ge_u
range(numericOps, 0x5b, 0x60, binary(f32, i32)); // f32.eq .. f32.ge
range(numericOps, 0x61, 0x66, binary(f64, i32)); // f64.eq .. f64.ge
range(numericOps, 0x67, 0x69, unary(i32)); // i32.clz ctz popcnt
range(numericOps, 0x6a, 0x78, binary(i32)); // i32.add .. i32.rotr
range(numericOps, 0x79, 0x7b, unary(i64)); // i64.clz ctz popcnt
range(numericOps, 0x7c, 0x8a, binary(i64)); // i64.add .. i64.rotr
range(numericOps, 0x8b, 0x91, unary(f32)); // f32.abs .. f32.sqrt
range(numericOps, 0x92, 0x98, binary(f32)); // f32.add .. f32.copysign
range(numericOps, 0x99, 0x9f, unary(f64)); // f64.abs .. f64.sqrt
range(numericOps, 0xa0, 0xa6, binary(f64)); // f64.add .. f64.copysign
numericOps[0xa7] = unary(i64, i32); // i32.wrap_i64
range(numericOps, 0xa8, 0xa9, unary(f32, i32)); // i32.trunc_f32_s/u
range(numericOps, 0xaa, 0xab, unary(f64, i32)); // i32.trunc_f64_s/u
range(numericOps, 0xac, 0xad, unary(i32, i64)); // i64.extend_i32_s/u
range(numericOps, 0xae, 0xaf, unary(f32, i64)); // i64.trunc_f32_s/u
range(numericOps, 0xb0, 0xb1, unary(f64, i64)); // i64.trunc_f64_s/u
range(numericOps, 0xb2, 0xb3, unary(i32, f32)); // f32.convert_i32_s/u
range(numericOps, 0xb4, 0xb5, unary(i64, f32)); // f32.convert_i64_s/u
numericOps[0xb6] = unary(f64, f32); // f32.demote_f64
range(numericOps, 0xb7, 0xb8, unary(i32, f64)); // f64.convert_i32_s/u
range(numericOps, 0xb9, 0xba, unary(i64, f64)); // f64.convert_i64_s/u
numericOps[0xbb] = unary(f32, f64); // f64.promote_f32
numericOps[0xbc] = unary(f32, i32); // i32.reinterpret_f32
numericOps[0xbd] = unary(f64, i64); // i64.reinterpret_f64
numericOps[0xbe] = unary(i32, f32); // f32.reinterpret_i32
numericOps[0xbf] = unary(i64, f64); // f64.reinterpret_i64
range(numericOps, 0xc0, 0xc1, unary(i32)); // i32.extend8_s extend16_s
range(numericOps, 0xc2, 0xc4, unary(i64)); // i64.extend8_s extend16_s extend32_s

function load(naturalAlign: number, result: ValType): MemorySignature {
  return entry([i32], result, naturalAlign, undefined) as MemorySignature;
}
function store(naturalAlign: number, value: ValType): MemorySignature {
  return entry([i32, value], undefined, naturalAlign, undefined) as MemorySignature;
}

/** Single-byte loads and stores 0x28-0x3E. */
export const memoryOps: (MemorySignature | undefined)[] = new Array(256).fill(undefined);
memoryOps[0x28] = load(2, i32); // i32.load
memoryOps[0x29] = load(3, i64); // i64.load
memoryOps[0x2a] = load(2, f32); // f32.load
memoryOps[0x2b] = load(3, f64); // f64.load
range(memoryOps, 0x2c, 0x2d, load(0, i32)); // i32.load8_s/u
range(memoryOps, 0x2e, 0x2f, load(1, i32)); // i32.load16_s/u
range(memoryOps, 0x30, 0x31, load(0, i64)); // i64.load8_s/u
range(memoryOps, 0x32, 0x33, load(1, i64)); // i64.load16_s/u
range(memoryOps, 0x34, 0x35, load(2, i64)); // i64.load32_s/u
memoryOps[0x36] = store(2, i32); // i32.store
memoryOps[0x37] = store(3, i64); // i64.store
memoryOps[0x38] = store(2, f32); // f32.store
memoryOps[0x39] = store(3, f64); // f64.store
memoryOps[0x3a] = store(0, i32); // i32.store8
memoryOps[0x3b] = store(1, i32); // i32.store16
memoryOps[0x3c] = store(0, i64); // i64.store8
memoryOps[0x3d] = store(1, i64); // i64.store16
memoryOps[0x3e] = store(2, i64); // i64.store32

/** 0xFC 0-7: the non-trapping float-to-int conversions. */
export const saturatingOps: readonly Signature[] = [
  unary(f32, i32), // i32.trunc_sat_f32_s
  unary(f32, i32), // i32.trunc_sat_f32_u
  unary(f64, i32), // i32.trunc_sat_f64_s
  unary(f64, i32), // i32.trunc_sat_f64_u
  unary(f32, i64), // i64.trunc_sat_f32_s
  unary(f32, i64), // i64.trunc_sat_f32_u
  unary(f64, i64), // i64.trunc_sat_f64_s
  unary(f64, i64), // i64.trunc_sat_f64_u
];

/** 0xFD sub-opcodes without immediates: plain v128 operations, by sub-opcode (0-255). */
export const simdOps: (Signature | undefined)[] = new Array(256).fill(undefined);
/** 0xFD sub-opcodes with a memarg (no lane), by sub-opcode. */
export const simdMemoryOps: (MemorySignature | undefined)[] = new Array(256).fill(undefined);
/** 0xFD extract_lane / replace_lane, by sub-opcode. */
export const simdLaneOps: (LaneSignature | undefined)[] = new Array(256).fill(undefined);
/** 0xFD load*_lane / store*_lane, by sub-opcode. */
export const simdMemoryLaneOps: (MemoryLaneSignature | undefined)[] = new Array(256).fill(
  undefined,
);

const vUnary = unary(v128);
const vBinary = binary(v128);
const vTest = unary(v128, i32); // any_true, all_true, bitmask
const vShift = sig([v128, i32], v128);

simdMemoryOps[0x00] = load(4, v128); // v128.load
range(simdMemoryOps, 0x01, 0x06, load(3, v128)); // v128.load8x8_s .. load32x2_u
simdMemoryOps[0x07] = load(0, v128); // v128.load8_splat
simdMemoryOps[0x08] = load(1, v128); // v128.load16_splat
simdMemoryOps[0x09] = load(2, v128); // v128.load32_splat
simdMemoryOps[0x0a] = load(3, v128); // v128.load64_splat
simdMemoryOps[0x0b] = store(4, v128); // v128.store
simdMemoryOps[0x5c] = load(2, v128); // v128.load32_zero
simdMemoryOps[0x5d] = load(3, v128); // v128.load64_zero

// 0x0C v128.const and 0x0D i8x16.shuffle have byte immediates: typed in simd.ts.
simdOps[0x0e] = vBinary; // i8x16.swizzle
simdOps[0x0f] = unary(i32, v128); // i8x16.splat
simdOps[0x10] = unary(i32, v128); // i16x8.splat
simdOps[0x11] = unary(i32, v128); // i32x4.splat
simdOps[0x12] = unary(i64, v128); // i64x2.splat
simdOps[0x13] = unary(f32, v128); // f32x4.splat
simdOps[0x14] = unary(f64, v128); // f64x2.splat

function lane(lanes: number, params: ValType[], result: ValType): LaneSignature {
  return entry(params, result, undefined, lanes) as LaneSignature;
}
range(simdLaneOps, 0x15, 0x16, lane(16, [v128], i32)); // i8x16.extract_lane_s/u
simdLaneOps[0x17] = lane(16, [v128, i32], v128); // i8x16.replace_lane
range(simdLaneOps, 0x18, 0x19, lane(8, [v128], i32)); // i16x8.extract_lane_s/u
simdLaneOps[0x1a] = lane(8, [v128, i32], v128); // i16x8.replace_lane
simdLaneOps[0x1b] = lane(4, [v128], i32); // i32x4.extract_lane
simdLaneOps[0x1c] = lane(4, [v128, i32], v128); // i32x4.replace_lane
simdLaneOps[0x1d] = lane(2, [v128], i64); // i64x2.extract_lane
simdLaneOps[0x1e] = lane(2, [v128, i64], v128); // i64x2.replace_lane
simdLaneOps[0x1f] = lane(4, [v128], f32); // f32x4.extract_lane
simdLaneOps[0x20] = lane(4, [v128, f32], v128); // f32x4.replace_lane
simdLaneOps[0x21] = lane(2, [v128], f64); // f64x2.extract_lane
simdLaneOps[0x22] = lane(2, [v128, f64], v128); // f64x2.replace_lane

range(simdOps, 0x23, 0x4c, vBinary); // i8x16/i16x8/i32x4/f32x4/f64x2 comparisons
simdOps[0x4d] = vUnary; // v128.not
range(simdOps, 0x4e, 0x51, vBinary); // v128.and andnot or xor
simdOps[0x52] = sig([v128, v128, v128], v128); // v128.bitselect
simdOps[0x53] = vTest; // v128.any_true

function memoryLane(naturalAlign: number, lanes: number, isStore: boolean): MemoryLaneSignature {
  return entry([i32, v128], isStore ? undefined : v128, naturalAlign, lanes) as MemoryLaneSignature;
}
simdMemoryLaneOps[0x54] = memoryLane(0, 16, false); // v128.load8_lane
simdMemoryLaneOps[0x55] = memoryLane(1, 8, false); // v128.load16_lane
simdMemoryLaneOps[0x56] = memoryLane(2, 4, false); // v128.load32_lane
simdMemoryLaneOps[0x57] = memoryLane(3, 2, false); // v128.load64_lane
simdMemoryLaneOps[0x58] = memoryLane(0, 16, true); // v128.store8_lane
simdMemoryLaneOps[0x59] = memoryLane(1, 8, true); // v128.store16_lane
simdMemoryLaneOps[0x5a] = memoryLane(2, 4, true); // v128.store32_lane
simdMemoryLaneOps[0x5b] = memoryLane(3, 2, true); // v128.store64_lane

range(simdOps, 0x5e, 0x62, vUnary); // f32x4.demote_f64x2_zero f64x2.promote_low_f32x4 i8x16.abs neg popcnt
range(simdOps, 0x63, 0x64, vTest); // i8x16.all_true bitmask
range(simdOps, 0x65, 0x66, vBinary); // i8x16.narrow_i16x8_s/u
range(simdOps, 0x67, 0x6a, vUnary); // f32x4.ceil floor trunc nearest
range(simdOps, 0x6b, 0x6d, vShift); // i8x16.shl shr_s shr_u
range(simdOps, 0x6e, 0x73, vBinary); // i8x16.add add_sat_s/u sub sub_sat_s/u
range(simdOps, 0x74, 0x75, vUnary); // f64x2.ceil floor
range(simdOps, 0x76, 0x79, vBinary); // i8x16.min_s min_u max_s max_u
simdOps[0x7a] = vUnary; // f64x2.trunc
simdOps[0x7b] = vBinary; // i8x16.avgr_u
range(simdOps, 0x7c, 0x81, vUnary); // extadd_pairwise x4, i16x8.abs neg
simdOps[0x82] = vBinary; // i16x8.q15mulr_sat_s
range(simdOps, 0x83, 0x84, vTest); // i16x8.all_true bitmask
range(simdOps, 0x85, 0x86, vBinary); // i16x8.narrow_i32x4_s/u
range(simdOps, 0x87, 0x8a, vUnary); // i16x8.extend_low/high_i8x16_s/u
range(simdOps, 0x8b, 0x8d, vShift); // i16x8.shl shr_s shr_u
range(simdOps, 0x8e, 0x93, vBinary); // i16x8.add add_sat_s/u sub sub_sat_s/u
simdOps[0x94] = vUnary; // f64x2.nearest
range(simdOps, 0x95, 0x99, vBinary); // i16x8.mul min_s min_u max_s max_u
range(simdOps, 0x9b, 0x9f, vBinary); // i16x8.avgr_u extmul_low/high_i8x16_s/u
range(simdOps, 0xa0, 0xa1, vUnary); // i32x4.abs neg
range(simdOps, 0xa3, 0xa4, vTest); // i32x4.all_true bitmask
range(simdOps, 0xa7, 0xaa, vUnary); // i32x4.extend_low/high_i16x8_s/u
range(simdOps, 0xab, 0xad, vShift); // i32x4.shl shr_s shr_u
simdOps[0xae] = vBinary; // i32x4.add
simdOps[0xb1] = vBinary; // i32x4.sub
range(simdOps, 0xb5, 0xba, vBinary); // i32x4.mul min_s min_u max_s max_u dot_i16x8_s
range(simdOps, 0xbc, 0xbf, vBinary); // i32x4.extmul_low/high_i16x8_s/u
range(simdOps, 0xc0, 0xc1, vUnary); // i64x2.abs neg
range(simdOps, 0xc3, 0xc4, vTest); // i64x2.all_true bitmask
range(simdOps, 0xc7, 0xca, vUnary); // i64x2.extend_low/high_i32x4_s/u
range(simdOps, 0xcb, 0xcd, vShift); // i64x2.shl shr_s shr_u
simdOps[0xce] = vBinary; // i64x2.add
simdOps[0xd1] = vBinary; // i64x2.sub
simdOps[0xd5] = vBinary; // i64x2.mul
range(simdOps, 0xd6, 0xdb, vBinary); // i64x2.eq ne lt_s gt_s le_s ge_s
range(simdOps, 0xdc, 0xdf, vBinary); // i64x2.extmul_low/high_i32x4_s/u
range(simdOps, 0xe0, 0xe1, vUnary); // f32x4.abs neg
simdOps[0xe3] = vUnary; // f32x4.sqrt
range(simdOps, 0xe4, 0xeb, vBinary); // f32x4.add sub mul div min max pmin pmax
range(simdOps, 0xec, 0xed, vUnary); // f64x2.abs neg
simdOps[0xef] = vUnary; // f64x2.sqrt
range(simdOps, 0xf0, 0xf7, vBinary); // f64x2.add sub mul div min max pmin pmax
range(simdOps, 0xf8, 0xff, vUnary); // trunc_sat / convert between i32x4, f32x4, f64x2
