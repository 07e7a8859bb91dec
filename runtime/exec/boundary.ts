// The JS <-> Wasm value boundary: converting JS API values to the internal representation
// (i64 as two int32 halves, BigInt at the boundary only) and back, wrapping host functions as
// internal-ABI callables and internal functions as exported JS functions.
import { FuncType, ValType } from '../model';
import { toTrap } from './errors';
import { X } from './helpers';
import { FuncRef, InternalFunction, typeId, typeKey } from './store';
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

// Wrappers for signatures of plain numbers (at most one result) are generated once per
// signature as straight-line JS; others use the generic loops below.
const numeric = new Set<ValType>([ValType.i32, ValType.i64, ValType.f32, ValType.f64]);
const isSimple = (t: FuncType): boolean =>
  t.params.every((p) => numeric.has(p)) &&
  t.results.length <= 1 &&
  t.results.every((r) => numeric.has(r));

/** i64 from JS (BigInt) as its low half; the high half is left in I64[1]. */
const I64 = new Int32Array(2);
function i64In(v: unknown): number {
  if (typeof v === 'number' || v === undefined)
    throw new TypeError('cannot convert to i64: not a BigInt');
  const b = BigInt.asIntN(64, BigInt(v as bigint));
  I64[1] = Number(BigInt.asIntN(32, b >> 32n));
  return Number(BigInt.asIntN(32, b));
}
const i64Out = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);

type ExportFactory = (
  ref: FuncRef,
  trap: (e: unknown) => unknown,
  i64In: (v: unknown) => number,
  I64: Int32Array,
  i64Out: (lo: number, hi: number) => bigint,
  X: unknown[],
) => (...args: unknown[]) => unknown;
const exportFactories = new Map<string, ExportFactory>();

function simpleExport(ref: FuncRef): (...args: unknown[]) => unknown {
  const { params, results } = ref.type;
  const key = typeKey(ref.type);
  let factory = exportFactories.get(key);
  if (factory === undefined) {
    const names = params.map((_, i) => `a${i}`);
    let body = '';
    const args: string[] = [];
    params.forEach((t, i) => {
      if (t === ValType.i32) args.push(`a${i}|0`);
      else if (t === ValType.f32) args.push(`Math.fround(+a${i})`);
      else if (t === ValType.f64) args.push(`+a${i}`);
      else {
        body += `const l${i}=i64In(a${i}),h${i}=I64[1];`;
        args.push(`l${i}`, `h${i}`);
      }
    });
    body += `let r;try{r=ref.f(${args.join(',')});}catch(e){throw trap(e);}`;
    const res = results[0];
    body +=
      res === undefined
        ? 'return undefined;'
        : res === ValType.i64
          ? 'return i64Out(r,X[0]);'
          : 'return r;';
    factory = new Function(
      'ref',
      'trap',
      'i64In',
      'I64',
      'i64Out',
      'X',
      `return function(${names.join(',')}){${body}}`,
    ) as ExportFactory;
    exportFactories.set(key, factory);
  }
  return factory(ref, (e) => toTrap(e, wasmBacktrace), i64In, I64, i64Out, X);
}

type HostFactory = (
  fn: (...args: unknown[]) => unknown,
  i64In: (v: unknown) => number,
  I64: Int32Array,
  i64Out: (lo: number, hi: number) => bigint,
  X: unknown[],
) => (...args: unknown[]) => unknown;
const hostFactories = new Map<string, HostFactory>();

function simpleHost(fn: (...args: unknown[]) => unknown, type: FuncType): InternalFunction {
  const key = typeKey(type);
  let factory = hostFactories.get(key);
  if (factory === undefined) {
    const params: string[] = [];
    const args: string[] = [];
    type.params.forEach((t, i) => {
      if (t === ValType.i64) {
        params.push(`a${i}`, `b${i}`);
        args.push(`i64Out(a${i},b${i})`);
      } else {
        params.push(`a${i}`);
        args.push(`a${i}`);
      }
    });
    const res = type.results[0];
    const ret =
      res === undefined
        ? `fn(${args.join(',')});return undefined;`
        : `const r=fn(${args.join(',')});` +
          (res === ValType.i32
            ? 'return +r|0;'
            : res === ValType.f32
              ? 'return Math.fround(+r);'
              : res === ValType.f64
                ? 'return +r;'
                : 'const lo=i64In(r);X[0]=I64[1];return lo;');
    factory = new Function(
      'fn',
      'i64In',
      'I64',
      'i64Out',
      'X',
      `return function(${params.join(',')}){${ret}}`,
    ) as HostFactory;
    hostFactories.set(key, factory);
  }
  return factory(fn, i64In, I64, i64Out, X) as InternalFunction;
}

/** The exported JS function for a function reference (one per reference: identity holds). */
export function exportFunction(ref: FuncRef, index = 0): (...args: unknown[]) => unknown {
  if (ref.js !== undefined) return ref.js;
  const { params, results } = ref.type;
  const call = isSimple(ref.type)
    ? simpleExport(ref)
    : function (this: unknown, ...args: unknown[]): unknown {
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
  if (isSimple(type)) return new FuncRef(type, typeId(type), simpleHost(fn, type), name);
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
