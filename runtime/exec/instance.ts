// Instantiation (WebAssembly 2.0 semantics): resolve imports, create globals, tables and the
// memory, evaluate element segments, build exports, apply active element and data segments
// in order (a trap leaves earlier writes in place), then run the start function.
import { BinaryReader } from '../binary/reader';
import { readOpcode } from '../binary/instructions';
import { ConstExpr, FuncType, ValType } from '../model';
import * as scalarHelpers from './helpers';
import { simd, V } from './simd';
import { X, H, tableInit, memoryInit } from './helpers';
import { LinkError, toTrap } from './errors';
import { FuncRef, GlobalCell, InternalFunction, MemoryStore, TableStore, typeId } from './store';
import { exportFunction, hostFunction, refOfFunction, toInternal } from './boundary';
import { factoryFor, ModuleRecord, wasmBacktrace } from './module-record';
import { globalObject, memoryObject, storeOf, tableObject } from '../api/objects';

/** What generated code sees as `I` (see codegen/compile.ts). */
/** What generated code sees as `R`: the scalar helpers plus the SIMD ones. */
const helpers = { ...scalarHelpers, simd, V };

export interface InstanceContext {
  f: InternalFunction[];
  g: GlobalCell[];
  t: TableStore[];
  mem: MemoryStore | undefined;
  refs: FuncRef[];
  e: unknown[][];
  d: Uint8Array[];
  /**
   * Called by a generated function that bound the memory view when it was created (see
   * codegen/compile.ts, "bound view") and finds it stale after a grow: puts function `index`
   * back to its lazy stub if `stale` is still installed, and returns what to call instead.
   */
  rebind: (index: number, stale: InternalFunction) => InternalFunction;
}

function sameType(a: FuncType, b: FuncType): boolean {
  return typeId(a) === typeId(b);
}

function evalConst(ctx: InstanceContext, bytes: Uint8Array, expr: ConstExpr): unknown[] {
  const r = new BinaryReader(bytes, expr.start, expr.end);
  const stack: unknown[][] = [];
  for (;;) {
    const key = readOpcode(r);
    switch (key) {
      case 0x0b:
        return stack[stack.length - 1];
      case 0x41:
        stack.push([r.s32()]);
        break;
      case 0x42: {
        const v = r.s64();
        stack.push([Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))]);
        break;
      }
      case 0x43:
        stack.push([helpers.f32frombits(r.f32Bits() | 0)]);
        break;
      case 0x44: {
        const [lo, hi] = r.f64Bits();
        stack.push([helpers.f64frombits(lo | 0, hi | 0)]);
        break;
      }
      case 0xfd0c: {
        const b = r.bytesOf(16);
        const dv = new DataView(b.buffer, b.byteOffset, 16);
        stack.push([0, 4, 8, 12].map((o) => dv.getInt32(o, true)));
        break;
      }
      case 0x23: {
        const g = ctx.g[r.u32()];
        stack.push([g.v, g.h, g.x, g.y]);
        break;
      }
      case 0xd0:
        r.u8();
        stack.push([null]);
        break;
      case 0xd2:
        stack.push([ctx.refs[r.u32()]]);
        break;
      case 0x6a:
      case 0x6b:
      case 0x6c: {
        const b = stack.pop()![0] as number;
        const a = stack.pop()![0] as number;
        stack.push([key === 0x6a ? (a + b) | 0 : key === 0x6b ? (a - b) | 0 : Math.imul(a, b)]);
        break;
      }
      default:
        throw new LinkError(`unsupported constant expression opcode 0x${key.toString(16)}`);
    }
  }
}

function lookupImport(importObject: unknown, module: string, name: string): unknown {
  if (importObject === undefined || importObject === null || typeof importObject !== 'object') {
    throw new TypeError('imports argument must be present and must be an object');
  }
  const ns = (importObject as Record<string, unknown>)[module];
  if (ns === null || (typeof ns !== 'object' && typeof ns !== 'function')) {
    throw new TypeError(`import object field '${module}' is not an object`);
  }
  return (ns as Record<string, unknown>)[name];
}

export function instantiateRecord(
  record: ModuleRecord,
  importObject: unknown,
): Record<string, unknown> {
  const m = record.module;
  const info = record.info;
  const stubs: InternalFunction[] = [];
  /** Functions rebound after a memory grow: generated without a bound view from then on. */
  const rebound: boolean[] = [];
  const ctx: InstanceContext = {
    f: [],
    g: [],
    t: [],
    mem: undefined,
    refs: [],
    e: [],
    d: [],
    rebind: (index, stale) => {
      const ref = ctx.refs[index];
      if (ref.f === stale) {
        rebound[index] = true;
        ref.f = stubs[index];
        ctx.f[index] = ref.f;
      }
      return ref.f;
    },
  };

  // Imports.
  for (const imp of m.imports) {
    const v = lookupImport(importObject, imp.module, imp.name);
    const where = `import ${imp.module}.${imp.name}`;
    switch (imp.desc.kind) {
      case 'function': {
        const type = m.types[imp.desc.typeIndex];
        if (typeof v !== 'function')
          throw new LinkError(`${where}: function import requires a callable`);
        let ref = refOfFunction.get(v);
        if (ref !== undefined) {
          if (!sameType(ref.type, type))
            throw new LinkError(`${where}: imported function does not match the expected type`);
        } else ref = hostFunction(v as (...a: unknown[]) => unknown, type, imp.name);
        if (ref.f !== ref.generated) ref.callers.push([ctx.f, ctx.f.length]);
        ctx.refs.push(ref);
        ctx.f.push(ref.f);
        break;
      }
      case 'global': {
        const type = imp.desc.type;
        let cell = storeOf.global(v);
        if (cell !== undefined) {
          if (cell.type !== type.valType || cell.mutable !== type.mutable) {
            throw new LinkError(`${where}: imported global does not match the expected type`);
          }
        } else {
          if (type.mutable)
            throw new LinkError(`${where}: mutable global import requires a Global object`);
          if (
            type.valType === ValType.i64
              ? typeof v !== 'bigint'
              : type.valType <= 0x7f && type.valType >= 0x7c && typeof v !== 'number'
          ) {
            throw new LinkError(`${where}: global import has the wrong type`);
          }
          if (type.valType === ValType.v128) throw new LinkError(`${where}: v128 global import`);
          cell = new GlobalCell(type.valType, false);
          const out: unknown[] = [];
          try {
            toInternal(type.valType, v, out);
          } catch {
            throw new LinkError(`${where}: global import has the wrong type`);
          }
          cell.v = out[0];
          if (out.length > 1) cell.h = out[1] as number;
        }
        ctx.g.push(cell);
        break;
      }
      case 'memory': {
        const store = storeOf.memory(v);
        const { min, max } = imp.desc.type.limits;
        if (store === undefined)
          throw new LinkError(`${where}: memory import requires a WebAssembly.Memory`);
        if (
          store.pages < min ||
          (max !== undefined && (store.max === undefined || store.max > max))
        ) {
          throw new LinkError(`${where}: imported memory limits do not match`);
        }
        ctx.mem = store;
        break;
      }
      case 'table': {
        const store = storeOf.table(v);
        const { elemType, limits } = imp.desc.type;
        if (store === undefined)
          throw new LinkError(`${where}: table import requires a WebAssembly.Table`);
        if (
          store.type !== elemType ||
          store.elems.length < limits.min ||
          (limits.max !== undefined && (store.max === undefined || store.max > limits.max))
        ) {
          throw new LinkError(`${where}: imported table does not match`);
        }
        ctx.t.push(store);
        break;
      }
    }
  }

  // Defined functions: lazily generated on first call.
  for (let j = info.importedFuncs; j < info.funcTypes.length; j++) {
    const type = info.funcTypes[j];
    const index = j;
    const stub = function (...args: unknown[]): unknown {
      let real = ref.f;
      if (real === (stub as InternalFunction)) {
        real = factoryFor(record, index, !rebound[index])(ctx, helpers, X, H) as InternalFunction;
        ref.f = real;
        ref.generated = real;
        // Instances importing this function call it directly from now on, too.
        for (const [table, at] of ref.callers) table[at] = real;
        ref.callers = [];
      }
      ctx.f[index] = real;
      return (real as (...a: unknown[]) => unknown)(...args);
    };
    const ref: FuncRef = new FuncRef(
      type,
      typeId(type),
      stub as InternalFunction,
      info.funcNames[j],
    );
    ctx.refs.push(ref);
    ctx.f.push(ref.f);
    stubs[index] = ref.f;
  }

  // Globals, tables, memory.
  for (const g of m.globals) {
    const cell = new GlobalCell(g.type.valType, g.type.mutable);
    const value = evalConst(ctx, m.bytes, g.init);
    cell.v = value[0];
    if (value.length > 1) cell.h = value[1] as number;
    if (value.length > 2) {
      cell.x = value[2] as number;
      cell.y = value[3] as number;
    }
    ctx.g.push(cell);
  }
  for (const t of m.tables) ctx.t.push(new TableStore(t.elemType, t.limits.min, t.limits.max));
  for (const mem of m.memories) ctx.mem = new MemoryStore(mem.limits.min, mem.limits.max);

  // Segments.
  for (const seg of m.elems) {
    const items = seg.items;
    ctx.e.push(
      items.kind === 'functions'
        ? items.indices.map((i) => ctx.refs[i])
        : items.exprs.map((e) => evalConst(ctx, m.bytes, e)[0]),
    );
  }
  for (const seg of m.datas) ctx.d.push(m.bytes.subarray(seg.start, seg.end));

  // Exports.
  const exports: Record<string, unknown> = Object.create(null);
  for (const exp of m.exports) {
    switch (exp.kind) {
      case 'function':
        exports[exp.name] = exportFunction(ctx.refs[exp.index], exp.index);
        break;
      case 'global':
        exports[exp.name] = globalObject(ctx.g[exp.index]);
        break;
      case 'memory':
        exports[exp.name] = memoryObject(ctx.mem!);
        break;
      case 'table':
        exports[exp.name] = tableObject(ctx.t[exp.index]);
        break;
    }
  }
  Object.freeze(exports);

  try {
    m.elems.forEach((seg, i) => {
      if (seg.mode.kind === 'active') {
        const offset = evalConst(ctx, m.bytes, seg.mode.offset)[0] as number;
        tableInit(ctx.t[seg.mode.table], ctx.e[i], offset, 0, ctx.e[i].length);
      }
      if (seg.mode.kind !== 'passive') ctx.e[i] = helpers.EMPTYA;
    });
    m.datas.forEach((seg, i) => {
      if (seg.mode.kind === 'active') {
        const offset = evalConst(ctx, m.bytes, seg.mode.offset)[0] as number;
        memoryInit(ctx.mem!, ctx.d[i], offset, 0, ctx.d[i].length);
        ctx.d[i] = helpers.EMPTY8;
      }
    });
    if (m.start !== undefined) (ctx.f[m.start] as () => void)();
  } catch (e) {
    throw toTrap(e, wasmBacktrace);
  }
  return exports;
}
