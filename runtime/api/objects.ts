// The JS API objects Memory, Table and Global, each a thin wrapper over its runtime store
// (runtime/exec/store.ts). One wrapper per store, so identity holds across exports.
import { ValType } from '../model';
import { fromInternal, toInternal } from '../exec/boundary';
import { GlobalCell, MAX_PAGES, MemoryStore, TableStore } from '../exec/store';

const memoryStores = new WeakMap<object, MemoryStore>();
const tableStores = new WeakMap<object, TableStore>();
const globalCells = new WeakMap<object, GlobalCell>();

function toIndex(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 0xffffffff) throw new TypeError(`${what} must be a u32`);
  return Math.trunc(n);
}

export interface MemoryDescriptor {
  initial: number;
  maximum?: number;
  shared?: boolean;
}

export class Memory {
  constructor(desc: MemoryDescriptor) {
    if (desc === null || typeof desc !== 'object')
      throw new TypeError('Memory descriptor must be an object');
    const initial = toIndex(desc.initial, 'initial');
    const maximum = desc.maximum === undefined ? undefined : toIndex(desc.maximum, 'maximum');
    if (initial > MAX_PAGES || (maximum !== undefined && maximum > MAX_PAGES)) {
      throw new RangeError('memory size must be at most 65536 pages');
    }
    if (maximum !== undefined && maximum < initial)
      throw new RangeError('maximum is below initial');
    const store = new MemoryStore(initial, maximum);
    store.js = this;
    memoryStores.set(this, store);
  }

  get buffer(): ArrayBuffer {
    return memoryStores.get(this)!.buffer;
  }

  grow(delta: number): number {
    const old = memoryStores.get(this)!.grow(toIndex(delta, 'delta'));
    if (old < 0) throw new RangeError('failed to grow memory');
    return old;
  }
}

export type TableKind = 'anyfunc' | 'funcref' | 'externref';

export interface TableDescriptor {
  element: TableKind;
  initial: number;
  maximum?: number;
}

function refType(kind: string): typeof ValType.funcref | typeof ValType.externref {
  if (kind === 'anyfunc' || kind === 'funcref') return ValType.funcref;
  if (kind === 'externref') return ValType.externref;
  throw new TypeError(`unknown table element type ${kind}`);
}

export class Table {
  constructor(desc: TableDescriptor, value?: unknown) {
    if (desc === null || typeof desc !== 'object')
      throw new TypeError('Table descriptor must be an object');
    const type = refType(desc.element);
    const initial = toIndex(desc.initial, 'initial');
    const maximum = desc.maximum === undefined ? undefined : toIndex(desc.maximum, 'maximum');
    if (maximum !== undefined && maximum < initial)
      throw new RangeError('maximum is below initial');
    if (initial > 10_000_000) throw new RangeError('table too large');
    const init: unknown[] = [];
    toInternal(type, arguments.length < 2 && type === ValType.funcref ? null : value, init);
    const store = new TableStore(type, initial, maximum, init[0]);
    store.js = this;
    tableStores.set(this, store);
  }

  get length(): number {
    return tableStores.get(this)!.elems.length;
  }

  get(index: number): unknown {
    const store = tableStores.get(this)!;
    const i = toIndex(index, 'index');
    if (i >= store.elems.length) throw new RangeError('table index out of bounds');
    return fromInternal(store.type, store.elems, i);
  }

  set(index: number, value?: unknown): void {
    const store = tableStores.get(this)!;
    const i = toIndex(index, 'index');
    if (i >= store.elems.length) throw new RangeError('table index out of bounds');
    const out: unknown[] = [];
    toInternal(
      store.type,
      arguments.length < 2 && store.type === ValType.funcref ? null : value,
      out,
    );
    store.elems[i] = out[0];
  }

  grow(delta: number, value?: unknown): number {
    const store = tableStores.get(this)!;
    const out: unknown[] = [];
    toInternal(
      store.type,
      arguments.length < 2 && store.type === ValType.funcref ? null : value,
      out,
    );
    const old = store.grow(toIndex(delta, 'delta'), out[0]);
    if (old < 0) throw new RangeError('failed to grow table');
    return old;
  }
}

export type GlobalKind = 'i32' | 'i64' | 'f32' | 'f64' | 'externref' | 'anyfunc' | 'funcref';

export interface GlobalDescriptor {
  value: GlobalKind;
  mutable?: boolean;
}

const globalTypes: Record<string, ValType> = {
  i32: ValType.i32,
  i64: ValType.i64,
  f32: ValType.f32,
  f64: ValType.f64,
  externref: ValType.externref,
  anyfunc: ValType.funcref,
  funcref: ValType.funcref,
};

function writeCell(cell: GlobalCell, value: unknown): void {
  const out: unknown[] = [];
  toInternal(cell.type, value, out);
  cell.v = out[0];
  if (cell.type === ValType.i64) cell.h = out[1] as number;
}

export class Global {
  constructor(desc: GlobalDescriptor, value?: unknown) {
    if (desc === null || typeof desc !== 'object')
      throw new TypeError('Global descriptor must be an object');
    const type = globalTypes[desc.value];
    if (type === undefined) throw new TypeError(`unknown global type ${desc.value}`);
    const cell = new GlobalCell(type, Boolean(desc.mutable));
    if (value === undefined) {
      if (type === ValType.externref) cell.v = arguments.length < 2 ? undefined : value;
    } else writeCell(cell, value);
    cell.js = this;
    globalCells.set(this, cell);
  }

  get value(): unknown {
    const cell = globalCells.get(this)!;
    return fromInternal(cell.type, [cell.v, cell.h], 0);
  }

  set value(v: unknown) {
    const cell = globalCells.get(this)!;
    if (!cell.mutable) throw new TypeError('cannot set the value of an immutable global');
    writeCell(cell, v);
  }

  valueOf(): unknown {
    return this.value;
  }
}

/** The store behind a JS API object, or undefined if `v` is not one of ours. */
export const storeOf = {
  memory: (v: unknown): MemoryStore | undefined =>
    typeof v === 'object' && v !== null ? memoryStores.get(v) : undefined,
  table: (v: unknown): TableStore | undefined =>
    typeof v === 'object' && v !== null ? tableStores.get(v) : undefined,
  global: (v: unknown): GlobalCell | undefined =>
    typeof v === 'object' && v !== null ? globalCells.get(v) : undefined,
};

/** The JS API object for a store (created on first need). */
export function memoryObject(store: MemoryStore): Memory {
  if (store.js === undefined) {
    const obj = Object.create(Memory.prototype) as Memory;
    memoryStores.set(obj, store);
    store.js = obj;
  }
  return store.js as Memory;
}

export function tableObject(store: TableStore): Table {
  if (store.js === undefined) {
    const obj = Object.create(Table.prototype) as Table;
    tableStores.set(obj, store);
    store.js = obj;
  }
  return store.js as Table;
}

export function globalObject(cell: GlobalCell): Global {
  if (cell.js === undefined) {
    const obj = Object.create(Global.prototype) as Global;
    globalCells.set(obj, cell);
    cell.js = obj;
  }
  return cell.js as Global;
}
