// The WebAssembly 2.0 opcode table: every instruction's name, how its immediates are encoded
// and, for the regular ones, its operand and result types. Shared by the decoder (skipping
// instructions), the validator and the code generator. Keyed by `opcodeKey`: the byte for
// single-byte opcodes, 0xfc00 | n and 0xfd00 | n for the prefixed ones.

/** How an instruction's immediates are encoded. */
export type Immediate =
  | 'none'
  | 'blocktype' // block, loop, if: s33 block type
  | 'label' // br, br_if: u32 label index
  | 'br_table' // vec(label) default
  | 'func' // call, ref.func: u32 function index
  | 'call_indirect' // u32 type index, u32 table index
  | 'local' // u32 local index
  | 'global' // u32 global index
  | 'table' // u32 table index
  | 'memarg' // u32 align, u32 offset
  | 'memory' // memory.size/grow: a zero byte (memory index)
  | 'i32' // s32
  | 'i64' // s64
  | 'f32' // 4 raw bytes
  | 'f64' // 8 raw bytes
  | 'select_t' // vec(valtype)
  | 'reftype' // one reftype byte
  | 'data_memory' // memory.init: u32 data index, memory byte
  | 'data' // data.drop: u32 data index
  | 'memory_memory' // memory.copy: two memory bytes
  | 'elem_table' // table.init: u32 elem index, u32 table index
  | 'elem' // elem.drop: u32 elem index
  | 'table_table' // table.copy: u32 table index twice
  | 'v128' // 16 raw bytes
  | 'shuffle' // 16 lane indices
  | 'lane' // one lane index byte
  | 'memarg_lane'; // memarg then a lane index byte

/**
 * Operand and result types of a regular instruction as `params>results`, one letter per value:
 * i = i32, I = i64, f = f32, F = f64, v = v128. Undefined for instructions whose typing
 * depends on context (control flow, locals, calls, select, references, tables).
 */
export type Signature = string;

export interface OpcodeInfo {
  name: string;
  immediate: Immediate;
  sig: Signature | undefined;
  /** Natural alignment (log2 bytes) for memory instructions. */
  align?: number;
  /** Lane count for lane-indexed SIMD instructions. */
  lanes?: number;
}

export const PREFIX_MISC = 0xfc;
export const PREFIX_SIMD = 0xfd;

export function opcodeKey(prefix: number, code: number): number {
  return prefix === 0 ? code : (prefix << 8) | code;
}

export const opcodes = new Map<number, OpcodeInfo>();

function def(
  key: number,
  name: string,
  immediate: Immediate,
  sig?: Signature,
  extra?: Partial<OpcodeInfo>,
): void {
  opcodes.set(key, { name, immediate, sig, ...extra });
}

// Control and parametric instructions.
def(0x00, 'unreachable', 'none');
def(0x01, 'nop', 'none', '>');
def(0x02, 'block', 'blocktype');
def(0x03, 'loop', 'blocktype');
def(0x04, 'if', 'blocktype');
def(0x05, 'else', 'none');
def(0x0b, 'end', 'none');
def(0x0c, 'br', 'label');
def(0x0d, 'br_if', 'label');
def(0x0e, 'br_table', 'br_table');
def(0x0f, 'return', 'none');
def(0x10, 'call', 'func');
def(0x11, 'call_indirect', 'call_indirect');
def(0x1a, 'drop', 'none');
def(0x1b, 'select', 'none');
def(0x1c, 'select', 'select_t');
def(0x20, 'local.get', 'local');
def(0x21, 'local.set', 'local');
def(0x22, 'local.tee', 'local');
def(0x23, 'global.get', 'global');
def(0x24, 'global.set', 'global');
def(0x25, 'table.get', 'table');
def(0x26, 'table.set', 'table');

// Memory instructions: [opcode, name, signature, natural alignment].
const memoryOps: [number, string, string, number][] = [
  [0x28, 'i32.load', 'i>i', 2],
  [0x29, 'i64.load', 'i>I', 3],
  [0x2a, 'f32.load', 'i>f', 2],
  [0x2b, 'f64.load', 'i>F', 3],
  [0x2c, 'i32.load8_s', 'i>i', 0],
  [0x2d, 'i32.load8_u', 'i>i', 0],
  [0x2e, 'i32.load16_s', 'i>i', 1],
  [0x2f, 'i32.load16_u', 'i>i', 1],
  [0x30, 'i64.load8_s', 'i>I', 0],
  [0x31, 'i64.load8_u', 'i>I', 0],
  [0x32, 'i64.load16_s', 'i>I', 1],
  [0x33, 'i64.load16_u', 'i>I', 1],
  [0x34, 'i64.load32_s', 'i>I', 2],
  [0x35, 'i64.load32_u', 'i>I', 2],
  [0x36, 'i32.store', 'ii>', 2],
  [0x37, 'i64.store', 'iI>', 3],
  [0x38, 'f32.store', 'if>', 2],
  [0x39, 'f64.store', 'iF>', 3],
  [0x3a, 'i32.store8', 'ii>', 0],
  [0x3b, 'i32.store16', 'ii>', 1],
  [0x3c, 'i64.store8', 'iI>', 0],
  [0x3d, 'i64.store16', 'iI>', 1],
  [0x3e, 'i64.store32', 'iI>', 2],
];
for (const [code, name, sig, align] of memoryOps) def(code, name, 'memarg', sig, { align });
def(0x3f, 'memory.size', 'memory', '>i');
def(0x40, 'memory.grow', 'memory', 'i>i');

// Numeric instructions.
def(0x41, 'i32.const', 'i32', '>i');
def(0x42, 'i64.const', 'i64', '>I');
def(0x43, 'f32.const', 'f32', '>f');
def(0x44, 'f64.const', 'f64', '>F');

/** Defines a run of consecutive opcodes sharing one signature. */
function run(
  first: number,
  prefix: string,
  names: string[],
  sig: string,
  immediate: Immediate = 'none',
): void {
  names.forEach((n, i) => def(first + i, `${prefix}.${n}`, immediate, sig));
}
const intCompare = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const floatCompare = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
const intUnary = ['clz', 'ctz', 'popcnt'];
const intBinary = [
  'add',
  'sub',
  'mul',
  'div_s',
  'div_u',
  'rem_s',
  'rem_u',
  'and',
  'or',
  'xor',
  'shl',
  'shr_s',
  'shr_u',
  'rotl',
  'rotr',
];
const floatUnary = ['abs', 'neg', 'ceil', 'floor', 'trunc', 'nearest', 'sqrt'];
const floatBinary = ['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'];

def(0x45, 'i32.eqz', 'none', 'i>i');
run(0x46, 'i32', intCompare, 'ii>i');
def(0x50, 'i64.eqz', 'none', 'I>i');
run(0x51, 'i64', intCompare, 'II>i');
run(0x5b, 'f32', floatCompare, 'ff>i');
run(0x61, 'f64', floatCompare, 'FF>i');
run(0x67, 'i32', intUnary, 'i>i');
run(0x6a, 'i32', intBinary, 'ii>i');
run(0x79, 'i64', intUnary, 'I>I');
run(0x7c, 'i64', intBinary, 'II>I');
run(0x8b, 'f32', floatUnary, 'f>f');
run(0x92, 'f32', floatBinary, 'ff>f');
run(0x99, 'f64', floatUnary, 'F>F');
run(0xa0, 'f64', floatBinary, 'FF>F');

const conversions: [number, string, string][] = [
  [0xa7, 'i32.wrap_i64', 'I>i'],
  [0xa8, 'i32.trunc_f32_s', 'f>i'],
  [0xa9, 'i32.trunc_f32_u', 'f>i'],
  [0xaa, 'i32.trunc_f64_s', 'F>i'],
  [0xab, 'i32.trunc_f64_u', 'F>i'],
  [0xac, 'i64.extend_i32_s', 'i>I'],
  [0xad, 'i64.extend_i32_u', 'i>I'],
  [0xae, 'i64.trunc_f32_s', 'f>I'],
  [0xaf, 'i64.trunc_f32_u', 'f>I'],
  [0xb0, 'i64.trunc_f64_s', 'F>I'],
  [0xb1, 'i64.trunc_f64_u', 'F>I'],
  [0xb2, 'f32.convert_i32_s', 'i>f'],
  [0xb3, 'f32.convert_i32_u', 'i>f'],
  [0xb4, 'f32.convert_i64_s', 'I>f'],
  [0xb5, 'f32.convert_i64_u', 'I>f'],
  [0xb6, 'f32.demote_f64', 'F>f'],
  [0xb7, 'f64.convert_i32_s', 'i>F'],
  [0xb8, 'f64.convert_i32_u', 'i>F'],
  [0xb9, 'f64.convert_i64_s', 'I>F'],
  [0xba, 'f64.convert_i64_u', 'I>F'],
  [0xbb, 'f64.promote_f32', 'f>F'],
  [0xbc, 'i32.reinterpret_f32', 'f>i'],
  [0xbd, 'i64.reinterpret_f64', 'F>I'],
  [0xbe, 'f32.reinterpret_i32', 'i>f'],
  [0xbf, 'f64.reinterpret_i64', 'I>F'],
  [0xc0, 'i32.extend8_s', 'i>i'],
  [0xc1, 'i32.extend16_s', 'i>i'],
  [0xc2, 'i64.extend8_s', 'I>I'],
  [0xc3, 'i64.extend16_s', 'I>I'],
  [0xc4, 'i64.extend32_s', 'I>I'],
];
for (const [code, name, sig] of conversions) def(code, name, 'none', sig);

// Reference instructions.
def(0xd0, 'ref.null', 'reftype');
def(0xd1, 'ref.is_null', 'none');
def(0xd2, 'ref.func', 'func');

// 0xFC prefix: saturating truncation, bulk memory, tables.
const misc = (n: number): number => opcodeKey(PREFIX_MISC, n);
const saturating: [string, string][] = [
  ['i32.trunc_sat_f32_s', 'f>i'],
  ['i32.trunc_sat_f32_u', 'f>i'],
  ['i32.trunc_sat_f64_s', 'F>i'],
  ['i32.trunc_sat_f64_u', 'F>i'],
  ['i64.trunc_sat_f32_s', 'f>I'],
  ['i64.trunc_sat_f32_u', 'f>I'],
  ['i64.trunc_sat_f64_s', 'F>I'],
  ['i64.trunc_sat_f64_u', 'F>I'],
];
saturating.forEach(([name, sig], i) => def(misc(i), name, 'none', sig));
def(misc(8), 'memory.init', 'data_memory', 'iii>');
def(misc(9), 'data.drop', 'data', '>');
def(misc(10), 'memory.copy', 'memory_memory', 'iii>');
def(misc(11), 'memory.fill', 'memory', 'iii>');
def(misc(12), 'table.init', 'elem_table', 'iii>');
def(misc(13), 'elem.drop', 'elem', '>');
def(misc(14), 'table.copy', 'table_table', 'iii>');
def(misc(15), 'table.grow', 'table');
def(misc(16), 'table.size', 'table', '>i');
def(misc(17), 'table.fill', 'table');

// 0xFD prefix: fixed-width SIMD. Memory instructions first.
const simd = (n: number): number => opcodeKey(PREFIX_SIMD, n);
const simdMemory: [number, string, string, number][] = [
  [0x00, 'v128.load', 'i>v', 4],
  [0x01, 'v128.load8x8_s', 'i>v', 3],
  [0x02, 'v128.load8x8_u', 'i>v', 3],
  [0x03, 'v128.load16x4_s', 'i>v', 3],
  [0x04, 'v128.load16x4_u', 'i>v', 3],
  [0x05, 'v128.load32x2_s', 'i>v', 3],
  [0x06, 'v128.load32x2_u', 'i>v', 3],
  [0x07, 'v128.load8_splat', 'i>v', 0],
  [0x08, 'v128.load16_splat', 'i>v', 1],
  [0x09, 'v128.load32_splat', 'i>v', 2],
  [0x0a, 'v128.load64_splat', 'i>v', 3],
  [0x0b, 'v128.store', 'iv>', 4],
  [0x5c, 'v128.load32_zero', 'i>v', 2],
  [0x5d, 'v128.load64_zero', 'i>v', 3],
];
for (const [code, name, sig, align] of simdMemory) def(simd(code), name, 'memarg', sig, { align });
const simdLaneMemory: [number, string, string, number, number][] = [
  [0x54, 'v128.load8_lane', 'iv>v', 0, 16],
  [0x55, 'v128.load16_lane', 'iv>v', 1, 8],
  [0x56, 'v128.load32_lane', 'iv>v', 2, 4],
  [0x57, 'v128.load64_lane', 'iv>v', 3, 2],
  [0x58, 'v128.store8_lane', 'iv>', 0, 16],
  [0x59, 'v128.store16_lane', 'iv>', 1, 8],
  [0x5a, 'v128.store32_lane', 'iv>', 2, 4],
  [0x5b, 'v128.store64_lane', 'iv>', 3, 2],
];
for (const [code, name, sig, align, lanes] of simdLaneMemory) {
  def(simd(code), name, 'memarg_lane', sig, { align, lanes });
}
def(simd(0x0c), 'v128.const', 'v128', '>v');
def(simd(0x0d), 'i8x16.shuffle', 'shuffle', 'vv>v');
def(simd(0x0e), 'i8x16.swizzle', 'none', 'vv>v');
def(simd(0x0f), 'i8x16.splat', 'none', 'i>v');
def(simd(0x10), 'i16x8.splat', 'none', 'i>v');
def(simd(0x11), 'i32x4.splat', 'none', 'i>v');
def(simd(0x12), 'i64x2.splat', 'none', 'I>v');
def(simd(0x13), 'f32x4.splat', 'none', 'f>v');
def(simd(0x14), 'f64x2.splat', 'none', 'F>v');
const lanesOps: [number, string, string, number][] = [
  [0x15, 'i8x16.extract_lane_s', 'v>i', 16],
  [0x16, 'i8x16.extract_lane_u', 'v>i', 16],
  [0x17, 'i8x16.replace_lane', 'vi>v', 16],
  [0x18, 'i16x8.extract_lane_s', 'v>i', 8],
  [0x19, 'i16x8.extract_lane_u', 'v>i', 8],
  [0x1a, 'i16x8.replace_lane', 'vi>v', 8],
  [0x1b, 'i32x4.extract_lane', 'v>i', 4],
  [0x1c, 'i32x4.replace_lane', 'vi>v', 4],
  [0x1d, 'i64x2.extract_lane', 'v>I', 2],
  [0x1e, 'i64x2.replace_lane', 'vI>v', 2],
  [0x1f, 'f32x4.extract_lane', 'v>f', 4],
  [0x20, 'f32x4.replace_lane', 'vf>v', 4],
  [0x21, 'f64x2.extract_lane', 'v>F', 2],
  [0x22, 'f64x2.replace_lane', 'vF>v', 2],
];
for (const [code, name, sig, lanes] of lanesOps) def(simd(code), name, 'lane', sig, { lanes });
run(simd(0x23), 'i8x16', intCompare, 'vv>v');
run(simd(0x2d), 'i16x8', intCompare, 'vv>v');
run(simd(0x37), 'i32x4', intCompare, 'vv>v');
run(simd(0x41), 'f32x4', floatCompare, 'vv>v');
run(simd(0x47), 'f64x2', floatCompare, 'vv>v');

/** The remaining SIMD instructions: [opcode, name, signature]. */
const simdPlain: [number, string, string][] = [
  [0x4d, 'v128.not', 'v>v'],
  [0x4e, 'v128.and', 'vv>v'],
  [0x4f, 'v128.andnot', 'vv>v'],
  [0x50, 'v128.or', 'vv>v'],
  [0x51, 'v128.xor', 'vv>v'],
  [0x52, 'v128.bitselect', 'vvv>v'],
  [0x53, 'v128.any_true', 'v>i'],
  [0x5e, 'f32x4.demote_f64x2_zero', 'v>v'],
  [0x5f, 'f64x2.promote_low_f32x4', 'v>v'],
  [0x60, 'i8x16.abs', 'v>v'],
  [0x61, 'i8x16.neg', 'v>v'],
  [0x62, 'i8x16.popcnt', 'v>v'],
  [0x63, 'i8x16.all_true', 'v>i'],
  [0x64, 'i8x16.bitmask', 'v>i'],
  [0x65, 'i8x16.narrow_i16x8_s', 'vv>v'],
  [0x66, 'i8x16.narrow_i16x8_u', 'vv>v'],
  [0x67, 'f32x4.ceil', 'v>v'],
  [0x68, 'f32x4.floor', 'v>v'],
  [0x69, 'f32x4.trunc', 'v>v'],
  [0x6a, 'f32x4.nearest', 'v>v'],
  [0x6b, 'i8x16.shl', 'vi>v'],
  [0x6c, 'i8x16.shr_s', 'vi>v'],
  [0x6d, 'i8x16.shr_u', 'vi>v'],
  [0x6e, 'i8x16.add', 'vv>v'],
  [0x6f, 'i8x16.add_sat_s', 'vv>v'],
  [0x70, 'i8x16.add_sat_u', 'vv>v'],
  [0x71, 'i8x16.sub', 'vv>v'],
  [0x72, 'i8x16.sub_sat_s', 'vv>v'],
  [0x73, 'i8x16.sub_sat_u', 'vv>v'],
  [0x74, 'f64x2.ceil', 'v>v'],
  [0x75, 'f64x2.floor', 'v>v'],
  [0x76, 'i8x16.min_s', 'vv>v'],
  [0x77, 'i8x16.min_u', 'vv>v'],
  [0x78, 'i8x16.max_s', 'vv>v'],
  [0x79, 'i8x16.max_u', 'vv>v'],
  [0x7a, 'f64x2.trunc', 'v>v'],
  [0x7b, 'i8x16.avgr_u', 'vv>v'],
  [0x7c, 'i16x8.extadd_pairwise_i8x16_s', 'v>v'],
  [0x7d, 'i16x8.extadd_pairwise_i8x16_u', 'v>v'],
  [0x7e, 'i32x4.extadd_pairwise_i16x8_s', 'v>v'],
  [0x7f, 'i32x4.extadd_pairwise_i16x8_u', 'v>v'],
  [0x80, 'i16x8.abs', 'v>v'],
  [0x81, 'i16x8.neg', 'v>v'],
  [0x82, 'i16x8.q15mulr_sat_s', 'vv>v'],
  [0x83, 'i16x8.all_true', 'v>i'],
  [0x84, 'i16x8.bitmask', 'v>i'],
  [0x85, 'i16x8.narrow_i32x4_s', 'vv>v'],
  [0x86, 'i16x8.narrow_i32x4_u', 'vv>v'],
  [0x87, 'i16x8.extend_low_i8x16_s', 'v>v'],
  [0x88, 'i16x8.extend_high_i8x16_s', 'v>v'],
  [0x89, 'i16x8.extend_low_i8x16_u', 'v>v'],
  [0x8a, 'i16x8.extend_high_i8x16_u', 'v>v'],
  [0x8b, 'i16x8.shl', 'vi>v'],
  [0x8c, 'i16x8.shr_s', 'vi>v'],
  [0x8d, 'i16x8.shr_u', 'vi>v'],
  [0x8e, 'i16x8.add', 'vv>v'],
  [0x8f, 'i16x8.add_sat_s', 'vv>v'],
  [0x90, 'i16x8.add_sat_u', 'vv>v'],
  [0x91, 'i16x8.sub', 'vv>v'],
  [0x92, 'i16x8.sub_sat_s', 'vv>v'],
  [0x93, 'i16x8.sub_sat_u', 'vv>v'],
  [0x94, 'f64x2.nearest', 'v>v'],
  [0x95, 'i16x8.mul', 'vv>v'],
  [0x96, 'i16x8.min_s', 'vv>v'],
  [0x97, 'i16x8.min_u', 'vv>v'],
  [0x98, 'i16x8.max_s', 'vv>v'],
  [0x99, 'i16x8.max_u', 'vv>v'],
  [0x9b, 'i16x8.avgr_u', 'vv>v'],
  [0x9c, 'i16x8.extmul_low_i8x16_s', 'vv>v'],
  [0x9d, 'i16x8.extmul_high_i8x16_s', 'vv>v'],
  [0x9e, 'i16x8.extmul_low_i8x16_u', 'vv>v'],
  [0x9f, 'i16x8.extmul_high_i8x16_u', 'vv>v'],
  [0xa0, 'i32x4.abs', 'v>v'],
  [0xa1, 'i32x4.neg', 'v>v'],
  [0xa3, 'i32x4.all_true', 'v>i'],
  [0xa4, 'i32x4.bitmask', 'v>i'],
  [0xa7, 'i32x4.extend_low_i16x8_s', 'v>v'],
  [0xa8, 'i32x4.extend_high_i16x8_s', 'v>v'],
  [0xa9, 'i32x4.extend_low_i16x8_u', 'v>v'],
  [0xaa, 'i32x4.extend_high_i16x8_u', 'v>v'],
  [0xab, 'i32x4.shl', 'vi>v'],
  [0xac, 'i32x4.shr_s', 'vi>v'],
  [0xad, 'i32x4.shr_u', 'vi>v'],
  [0xae, 'i32x4.add', 'vv>v'],
  [0xb1, 'i32x4.sub', 'vv>v'],
  [0xb5, 'i32x4.mul', 'vv>v'],
  [0xb6, 'i32x4.min_s', 'vv>v'],
  [0xb7, 'i32x4.min_u', 'vv>v'],
  [0xb8, 'i32x4.max_s', 'vv>v'],
  [0xb9, 'i32x4.max_u', 'vv>v'],
  [0xba, 'i32x4.dot_i16x8_s', 'vv>v'],
  [0xbc, 'i32x4.extmul_low_i16x8_s', 'vv>v'],
  [0xbd, 'i32x4.extmul_high_i16x8_s', 'vv>v'],
  [0xbe, 'i32x4.extmul_low_i16x8_u', 'vv>v'],
  [0xbf, 'i32x4.extmul_high_i16x8_u', 'vv>v'],
  [0xc0, 'i64x2.abs', 'v>v'],
  [0xc1, 'i64x2.neg', 'v>v'],
  [0xc3, 'i64x2.all_true', 'v>i'],
  [0xc4, 'i64x2.bitmask', 'v>i'],
  [0xc7, 'i64x2.extend_low_i32x4_s', 'v>v'],
  [0xc8, 'i64x2.extend_high_i32x4_s', 'v>v'],
  [0xc9, 'i64x2.extend_low_i32x4_u', 'v>v'],
  [0xca, 'i64x2.extend_high_i32x4_u', 'v>v'],
  [0xcb, 'i64x2.shl', 'vi>v'],
  [0xcc, 'i64x2.shr_s', 'vi>v'],
  [0xcd, 'i64x2.shr_u', 'vi>v'],
  [0xce, 'i64x2.add', 'vv>v'],
  [0xd1, 'i64x2.sub', 'vv>v'],
  [0xd5, 'i64x2.mul', 'vv>v'],
  [0xd6, 'i64x2.eq', 'vv>v'],
  [0xd7, 'i64x2.ne', 'vv>v'],
  [0xd8, 'i64x2.lt_s', 'vv>v'],
  [0xd9, 'i64x2.gt_s', 'vv>v'],
  [0xda, 'i64x2.le_s', 'vv>v'],
  [0xdb, 'i64x2.ge_s', 'vv>v'],
  [0xdc, 'i64x2.extmul_low_i32x4_s', 'vv>v'],
  [0xdd, 'i64x2.extmul_high_i32x4_s', 'vv>v'],
  [0xde, 'i64x2.extmul_low_i32x4_u', 'vv>v'],
  [0xdf, 'i64x2.extmul_high_i32x4_u', 'vv>v'],
  [0xe0, 'f32x4.abs', 'v>v'],
  [0xe1, 'f32x4.neg', 'v>v'],
  [0xe3, 'f32x4.sqrt', 'v>v'],
  [0xe4, 'f32x4.add', 'vv>v'],
  [0xe5, 'f32x4.sub', 'vv>v'],
  [0xe6, 'f32x4.mul', 'vv>v'],
  [0xe7, 'f32x4.div', 'vv>v'],
  [0xe8, 'f32x4.min', 'vv>v'],
  [0xe9, 'f32x4.max', 'vv>v'],
  [0xea, 'f32x4.pmin', 'vv>v'],
  [0xeb, 'f32x4.pmax', 'vv>v'],
  [0xec, 'f64x2.abs', 'v>v'],
  [0xed, 'f64x2.neg', 'v>v'],
  [0xef, 'f64x2.sqrt', 'v>v'],
  [0xf0, 'f64x2.add', 'vv>v'],
  [0xf1, 'f64x2.sub', 'vv>v'],
  [0xf2, 'f64x2.mul', 'vv>v'],
  [0xf3, 'f64x2.div', 'vv>v'],
  [0xf4, 'f64x2.min', 'vv>v'],
  [0xf5, 'f64x2.max', 'vv>v'],
  [0xf6, 'f64x2.pmin', 'vv>v'],
  [0xf7, 'f64x2.pmax', 'vv>v'],
  [0xf8, 'i32x4.trunc_sat_f32x4_s', 'v>v'],
  [0xf9, 'i32x4.trunc_sat_f32x4_u', 'v>v'],
  [0xfa, 'f32x4.convert_i32x4_s', 'v>v'],
  [0xfb, 'f32x4.convert_i32x4_u', 'v>v'],
  [0xfc, 'i32x4.trunc_sat_f64x2_s_zero', 'v>v'],
  [0xfd, 'i32x4.trunc_sat_f64x2_u_zero', 'v>v'],
  [0xfe, 'f64x2.convert_low_i32x4_s', 'v>v'],
  [0xff, 'f64x2.convert_low_i32x4_u', 'v>v'],
];
for (const [code, name, sig] of simdPlain) def(simd(code), name, 'none', sig);

/** Opcode keys by instruction name (the typed `select` is listed as `select_t`). */
export const opcodeByName = new Map<string, number>();
for (const [key, info] of opcodes) opcodeByName.set(key === 0x1c ? 'select_t' : info.name, key);
