// The JS <-> Wasm value boundary: converting JS API values to the internal representation
// (i64 as two int32 halves, BigInt at the boundary only) and back, wrapping host functions as
// internal-ABI callables and internal functions as exported JS functions.
import { FuncType, ValType } from '../model';
import { toTrap } from './errors';
import { X } from './helpers';
import { FuncRef, InternalFunction, typeId } from './store';
import { wasmBacktrace } from './module-record';

/** Exported JS functions back to the reference they wrap (keeps identity across modules). */
export const refOfFunction = new WeakMap<object, FuncRef>();

/** Appends the internal form of JS value `v` of Wasm type `t` to `out`. */
export function toInternal(t: ValType, v: unknown, out: unknown[]): void {
  switch (t) {
    case ValType.i32:
      out.push(+(v as number) | 0);
      return;
    case ValType.i64: {
      if (typeof v === 'number' || v === undefined)
        throw new TypeError('cannot convert to i64: not a BigInt');
      const b = BigInt.asIntN(64, BigInt(v as bigint));
      out.push(Number(BigInt.asIntN(32, b)), Number(BigInt.asIntN(32, b >> 32n)));
      return;
    }
    case ValType.f32:
      out.push(Math.fround(+(v as number)));
      return;
    case ValType.f64:
      out.push(+(v as number));
      return;
    case ValType.externref:
      out.push(v);
      return;
    case ValType.funcref: {
      if (v === null) {
        out.push(null);
        return;
      }
      const ref = typeof v === 'function' ? refOfFunction.get(v) : undefined;
      if (ref === undefined) throw new TypeError('funcref value must be null or a Wasm function');
      out.push(ref);
      return;
    }
    default:
      throw new TypeError('v128 values cannot cross the JS boundary');
  }
}

/** The JS value of an internal value occupying flat[i] (and flat[i+1] for i64). */
export function fromInternal(t: ValType, flat: unknown[], i: number): unknown {
  switch (t) {
    case ValType.i64:
      return (BigInt(flat[i + 1] as number) << 32n) | BigInt((flat[i] as number) >>> 0);
    case ValType.funcref:
      return flat[i] === null ? null : exportFunction(flat[i] as FuncRef);
    case ValType.v128:
      throw new TypeError('v128 values cannot cross the JS boundary');
    default:
      return flat[i];
  }
}

const flatWidth = (t: ValType): number => (t === ValType.i64 ? 2 : t === ValType.v128 ? 4 : 1);

/** The exported JS function for a function reference (one per reference: identity holds). */
export function exportFunction(ref: FuncRef, index = 0): (...args: unknown[]) => unknown {
  if (ref.js !== undefined) return ref.js;
  const { params, results } = ref.type;
  const call = function (this: unknown, ...args: unknown[]): unknown {
    const flat: unknown[] = [];
    for (let i = 0; i < params.length; i++) toInternal(params[i], args[i], flat);
    let first: unknown;
    try {
      first = (ref.f as (...a: unknown[]) => unknown)(...flat);
    } catch (e) {
      throw toTrap(e, wasmBacktrace);
    }
    if (results.length === 0) return undefined;
    const out: unknown[] = [first];
    let n = 0;
    for (const t of results) n += flatWidth(t);
    for (let i = 1; i < n; i++) out.push(X[i - 1]);
    if (results.length === 1) return fromInternal(results[0], out, 0);
    const values: unknown[] = [];
    let k = 0;
    for (const t of results) {
      values.push(fromInternal(t, out, k));
      k += flatWidth(t);
    }
    return values;
  };
  Object.defineProperty(call, 'name', { value: String(index) });
  Object.defineProperty(call, 'length', { value: params.length });
  ref.js = call;
  refOfFunction.set(call, ref);
  return call;
}

/** Wraps a host JS function as an internal-ABI function of type `type`. */
export function hostFunction(
  fn: (...args: unknown[]) => unknown,
  type: FuncType,
  name: string,
): FuncRef {
  const { params, results } = type;
  const f = function (...flat: unknown[]): unknown {
    const args: unknown[] = [];
    let k = 0;
    for (const t of params) {
      args.push(fromInternal(t, flat, k));
      k += flatWidth(t);
    }
    const ret = fn(...args);
    if (results.length === 0) return undefined;
    const out: unknown[] = [];
    if (results.length === 1) toInternal(results[0], ret, out);
    else {
      if (ret === null || typeof ret !== 'object' || !(Symbol.iterator in ret)) {
        throw new TypeError('multi-value host function must return an iterable');
      }
      const values = [...(ret as Iterable<unknown>)];
      if (values.length !== results.length) throw new TypeError('wrong number of results');
      results.forEach((t, i) => toInternal(t, values[i], out));
    }
    for (let i = 1; i < out.length; i++) X[i - 1] = out[i];
    return out[0];
  };
  return new FuncRef(type, typeId(type), f as InternalFunction, name);
}
