// Calls that cannot go through the JS API bit-exactly: v128 values cannot cross it at all,
// and a NaN's payload may change on the way through a JS number (an f32 signalling NaN is
// quieted when widened to a double). For those calls the runner builds a small wrapper module
// (the technique of the reference interpreter's JS harness): it imports the target function
// with the call's signature and exports `run`, which loads each numeric argument from the
// wrapper's own memory (16 bytes a slot), calls the target, and stores each numeric result back
// to memory, so values pass between Wasm functions only. Reference arguments and results still
// cross as `run`'s own parameters and results. The compiled wrapper is cached per signature,
// its instance per target function.
import type { WasmApi, WasmInstance, WasmMemory } from './engine-api';
import type { WastType, WastValue } from './script';
import { HostRefs, SLOT_BYTES, isRefType, toJs, writeSlot } from './values';
import {
  MAGIC_AND_VERSION,
  TYPE_CODE,
  funcType,
  i32Const,
  section,
  str,
  uleb,
  vec,
} from './wasm-bytes';

/** Load and store opcodes per numeric type (v128 ones carry the 0xfd prefix). */
const LOAD: Partial<Record<WastType, number[]>> = {
  i32: [0x28],
  i64: [0x29],
  f32: [0x2a],
  f64: [0x2b],
  v128: [0xfd, 0x00],
};
const STORE: Partial<Record<WastType, number[]>> = {
  i32: [0x36],
  i64: [0x37],
  f32: [0x38],
  f64: [0x39],
  v128: [0xfd, 0x0b],
};

/** The wrapper module's bytes for one signature (see the file comment). */
export function wrapperBytes(params: WastType[], results: WastType[]): Uint8Array {
  const refParams = params.filter(isRefType);
  const refResults = results.filter(isRefType);
  const resultBase = params.length * SLOT_BYTES;
  const body: number[] = [];
  // locals: one per target result, after run's own (reference) parameters
  body.push(...vec(results.map((t) => [1, TYPE_CODE[t]])));
  let refIndex = 0;
  params.forEach((t, i) => {
    if (isRefType(t)) body.push(0x20, ...uleb(refIndex++));
    else body.push(...i32Const(i * SLOT_BYTES), ...LOAD[t]!, 0, 0);
  });
  body.push(0x10, 0); // call the imported target
  const resultLocal = (j: number) => uleb(refParams.length + j);
  for (let j = results.length - 1; j >= 0; j--) body.push(0x21, ...resultLocal(j));
  results.forEach((t, j) => {
    if (isRefType(t)) return;
    body.push(
      ...i32Const(resultBase + j * SLOT_BYTES),
      0x20,
      ...resultLocal(j),
      ...STORE[t]!,
      0,
      0,
    );
  });
  results.forEach((t, j) => {
    if (isRefType(t)) body.push(0x20, ...resultLocal(j));
  });
  body.push(0x0b);

  const bytes = [
    ...MAGIC_AND_VERSION,
    ...section(1, vec([funcType(params, results), funcType(refParams, refResults)])),
    ...section(2, vec([[...str('m'), ...str('f'), 0x00, 0x00]])),
    ...section(3, vec([[1]])),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(
      7,
      vec([
        [...str('run'), 0x00, 1],
        [...str('mem'), 0x02, 0],
      ]),
    ),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ];
  return new Uint8Array(bytes);
}

interface Wrapper {
  run: (...args: unknown[]) => unknown;
  memory: WasmMemory;
}

export class Wrappers {
  private readonly modules = new Map<string, object>();
  private readonly instances = new WeakMap<object, Map<string, Wrapper>>();

  constructor(
    private readonly api: WasmApi,
    private readonly refs: HostRefs,
  ) {}

  /**
   * Calls `target` through a wrapper. Returns one observed value per result: a 16-byte DataView
   * of its bits for numeric types, the value itself for references.
   */
  call(target: object, args: WastValue[], resultTypes: WastType[]): unknown[] {
    const params = args.map((a) => a.type);
    const wrapper = this.wrapperFor(target, params, resultTypes);
    const view = new DataView(wrapper.memory.buffer);
    args.forEach((arg, i) => {
      if (!isRefType(arg.type)) writeSlot(view, i * SLOT_BYTES, arg);
    });
    const refArgs = args.filter((a) => isRefType(a.type)).map((a) => toJs(a, this.refs));
    const returned = wrapper.run(...refArgs);
    const refResultCount = resultTypes.filter(isRefType).length;
    const refResults: unknown[] =
      refResultCount === 0 ? [] : refResultCount === 1 ? [returned] : [...(returned as unknown[])];
    const buffer = wrapper.memory.buffer;
    const resultBase = params.length * SLOT_BYTES;
    return resultTypes.map((t, j) =>
      isRefType(t)
        ? refResults.shift()
        : new DataView(
            buffer.slice(resultBase + j * SLOT_BYTES, resultBase + (j + 1) * SLOT_BYTES),
          ),
    );
  }

  private wrapperFor(target: object, params: WastType[], results: WastType[]): Wrapper {
    const key = `${params.join(',')}->${results.join(',')}`;
    let byKey = this.instances.get(target);
    if (!byKey) {
      byKey = new Map();
      this.instances.set(target, byKey);
    }
    let wrapper = byKey.get(key);
    if (!wrapper) {
      let module = this.modules.get(key);
      if (!module) {
        module = new this.api.Module(wrapperBytes(params, results));
        this.modules.set(key, module);
      }
      const instance: WasmInstance = new this.api.Instance(module, { m: { f: target } });
      wrapper = {
        run: instance.exports.run as (...args: unknown[]) => unknown,
        memory: instance.exports.mem as WasmMemory,
      };
      byKey.set(key, wrapper);
    }
    return wrapper;
  }
}
