// Spec-test values: turning wast2json's values into JS arguments or raw bytes, and checking
// results against expectations. Numbers are compared by bit pattern (NaN payloads matter), with
// `nan:canonical` / `nan:arithmetic` per the spec; results are first brought into a 16-byte
// little-endian slot, whether they came back through the JS API or through a wrapper's memory.
import type { LaneType, WastValue } from './script';

/** Host references: `(ref.extern N)` is one JS object per N, for the whole run. */
export class HostRefs {
  private readonly byNumber = new Map<string, object>();
  get(n: string): object {
    let ref = this.byNumber.get(n);
    if (!ref) {
      ref = { hostRef: Number(n) };
      this.byNumber.set(n, ref);
    }
    return ref;
  }
}

export const SLOT_BYTES = 16;

const F32_QUIET_NAN = 0x7fc00000;
const F64_QUIET_NAN = 0x7ff8000000000000n;
const F64_NO_SIGN = 0x7fffffffffffffffn;

export function isRefType(type: WastValue['type']): boolean {
  return type === 'externref' || type === 'funcref';
}

/** True when a value cannot cross the JS API bit-exactly (v128, or a float that is a NaN). */
export function needsWrapper(value: WastValue): boolean {
  if (value.type === 'v128') return true;
  if (value.type === 'f32') return value.value !== undefined && isF32Nan(value.value);
  if (value.type === 'f64') return value.value !== undefined && isF64Nan(value.value);
  return false;
}

function isF32Nan(v: string): boolean {
  return (
    v.startsWith('nan:') ||
    ((Number(v) & 0x7f800000) === 0x7f800000 && (Number(v) & 0x7fffff) !== 0)
  );
}

function isF64Nan(v: string): boolean {
  if (v.startsWith('nan:')) return true;
  const bits = BigInt(v);
  return (bits & 0x7ff0000000000000n) === 0x7ff0000000000000n && (bits & 0xfffffffffffffn) !== 0n;
}

/** The value of a non-v128 value (undefined for v128 and for type-only expectations). */
function scalar(value: WastValue): string | undefined {
  return value.type === 'v128' ? undefined : value.value;
}

const scratch = new DataView(new ArrayBuffer(8));

/** A wast2json value as the JS API takes it (i64 as BigInt, floats from their bits). */
export function toJs(value: WastValue, refs: HostRefs): unknown {
  const v = scalar(value);
  switch (value.type) {
    case 'i32':
      return Number(BigInt.asIntN(32, BigInt(v!)));
    case 'i64':
      return BigInt.asIntN(64, BigInt(v!));
    case 'f32':
      scratch.setUint32(0, Number(v!), true);
      return scratch.getFloat32(0, true);
    case 'f64':
      scratch.setBigUint64(0, BigInt(v!), true);
      return scratch.getFloat64(0, true);
    case 'externref':
      return v === 'null' ? null : refs.get(v!);
    case 'funcref':
      if (v === 'null') return null;
      throw new Error(`funcref argument ${v} cannot be expressed`);
    case 'v128':
      throw new Error('v128 cannot cross the JS API');
  }
}

const LANE_BYTES: Record<LaneType, number> = { i8: 1, i16: 2, i32: 4, f32: 4, i64: 8, f64: 8 };

/** Writes a numeric value's bits into a slot at `offset` (wrapper arguments). */
export function writeSlot(view: DataView, offset: number, value: WastValue): void {
  if (value.type === 'v128') {
    const size = LANE_BYTES[value.lane_type!];
    value.value!.forEach((lane, i) => writeLane(view, offset + i * size, size, BigInt(lane)));
    return;
  }
  const size = value.type === 'i64' || value.type === 'f64' ? 8 : 4;
  writeLane(view, offset, size, BigInt(value.value!));
}

function writeLane(view: DataView, offset: number, size: number, bits: bigint): void {
  if (size === 1) view.setUint8(offset, Number(bits));
  else if (size === 2) view.setUint16(offset, Number(bits), true);
  else if (size === 4) view.setUint32(offset, Number(bits), true);
  else view.setBigUint64(offset, bits, true);
}

/** A result the JS API returned, as slot bytes; a string says why it is not of that type. */
export function slotFromJs(type: WastValue['type'], result: unknown): DataView | string {
  const view = new DataView(new ArrayBuffer(SLOT_BYTES));
  switch (type) {
    case 'i32':
      if (typeof result !== 'number') return `${typeof result} ${String(result)} for an i32`;
      // the JS API returns i32 as a signed integer; anything else is an engine bug to show
      if ((result | 0) !== result) return `${result}, not a signed i32`;
      view.setInt32(0, result, true);
      return view;
    case 'i64':
      if (typeof result !== 'bigint') return `${typeof result} ${String(result)} for an i64`;
      if (BigInt.asIntN(64, result) !== result) return `${result}n, not a signed i64`;
      view.setBigInt64(0, result, true);
      return view;
    case 'f32':
      if (typeof result !== 'number') return `${typeof result} ${String(result)} for an f32`;
      // an f32 must come back exactly representable; storing it would round a stray double
      if (!Number.isNaN(result) && Math.fround(result) !== result)
        return `${result}, not an f32 value`;
      view.setFloat32(0, result, true);
      return view;
    case 'f64':
      if (typeof result !== 'number') return `${typeof result} ${String(result)} for an f64`;
      view.setFloat64(0, result, true);
      return view;
    default:
      return `${type} is not a numeric type`;
  }
}

/** Whether an observed result (slot bytes, or a reference) is what the script expects. */
export function matches(expected: WastValue, actual: unknown, refs: HostRefs): boolean {
  const v = scalar(expected);
  switch (expected.type) {
    case 'externref':
      return v === 'null' ? actual === null : actual === refs.get(v!);
    case 'funcref':
      return v === 'null' ? actual === null : typeof actual === 'function';
    case 'v128': {
      if (!(actual instanceof DataView)) return false;
      const size = LANE_BYTES[expected.lane_type!];
      return expected.value!.every((lane, i) =>
        laneMatches(expected.lane_type!, lane, actual, i * size),
      );
    }
    default:
      return actual instanceof DataView && laneMatches(expected.type, v!, actual, 0);
  }
}

function laneMatches(type: LaneType, expected: string, view: DataView, offset: number): boolean {
  switch (type) {
    case 'i8':
      return view.getUint8(offset) === Number(expected);
    case 'i16':
      return view.getUint16(offset, true) === Number(expected);
    case 'i32':
      return view.getUint32(offset, true) === Number(expected);
    case 'i64':
      return view.getBigUint64(offset, true) === BigInt(expected);
    case 'f32': {
      const bits = view.getUint32(offset, true);
      if (expected === 'nan:canonical') return (bits & 0x7fffffff) === F32_QUIET_NAN;
      if (expected === 'nan:arithmetic') return (bits & F32_QUIET_NAN) === F32_QUIET_NAN;
      return bits === Number(expected);
    }
    case 'f64': {
      const bits = view.getBigUint64(offset, true);
      if (expected === 'nan:canonical') return (bits & F64_NO_SIGN) === F64_QUIET_NAN;
      if (expected === 'nan:arithmetic') return (bits & F64_QUIET_NAN) === F64_QUIET_NAN;
      return bits === BigInt(expected);
    }
  }
}

function hex(bits: bigint | number, digits: number): string {
  return `0x${bits.toString(16).padStart(digits, '0')}`;
}

/** An expected value for messages: `i32:42`, `f32:0x7fc00000`, `v128 i8x16:[...]`. */
export function showExpected(value: WastValue): string {
  const v = scalar(value);
  switch (value.type) {
    case 'f32':
      return `f32:${v!.startsWith('nan:') ? v : hex(Number(v), 8)}`;
    case 'f64':
      return `f64:${v!.startsWith('nan:') ? v : hex(BigInt(v!), 16)}`;
    case 'v128': {
      const lanes = value.value!.map((lane) =>
        lane.startsWith('nan:') || value.lane_type!.startsWith('i')
          ? lane
          : hex(BigInt(lane), LANE_BYTES[value.lane_type!] * 2),
      );
      return `v128 ${value.lane_type}x${lanes.length}:[${lanes.join(' ')}]`;
    }
    default:
      return `${value.type}:${v ?? '?'}`;
  }
}

/** An observed result for messages, shaped like the expectation it is compared with. */
export function showActual(expected: WastValue, actual: unknown): string {
  if (isRefType(expected.type)) {
    if (actual === null) return `${expected.type}:null`;
    const n = (actual as { hostRef?: number } | undefined)?.hostRef;
    return n !== undefined ? `${expected.type}:${n}` : `${expected.type}:<${typeof actual}>`;
  }
  if (!(actual instanceof DataView)) return String(actual);
  const lane = (expected.type === 'v128' ? expected.lane_type! : expected.type) as LaneType;
  const size = LANE_BYTES[lane];
  const count = expected.type === 'v128' ? SLOT_BYTES / size : 1;
  const lanes: string[] = [];
  for (let i = 0; i < count; i++) {
    const off = i * size;
    if (lane === 'i8') lanes.push(String(actual.getUint8(off)));
    else if (lane === 'i16') lanes.push(String(actual.getUint16(off, true)));
    else if (lane === 'i32') lanes.push(String(actual.getUint32(off, true)));
    else if (lane === 'i64') lanes.push(String(actual.getBigUint64(off, true)));
    else if (lane === 'f32') lanes.push(hex(actual.getUint32(off, true), 8));
    else lanes.push(hex(actual.getBigUint64(off, true), 16));
  }
  return expected.type === 'v128'
    ? `v128 ${lane}x${count}:[${lanes.join(' ')}]`
    : `${expected.type}:${lanes[0]}`;
}
