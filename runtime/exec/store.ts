// The runtime objects behind instances: memories, tables, globals and function references.
// Generated code reads their fields directly, so their shapes stay fixed and monomorphic.
import { FuncType, ValType } from '../model';

export const PAGE_SIZE = 65536;
/** The 2.0 limit on memory size, in pages (4 GiB). */
export const MAX_PAGES = 65536;
export const MAX_TABLE_SIZE = 10_000_000;

let memoryLimitBytes: number | undefined;
let onMemoryLimitExceeded: (() => void) | undefined;

/** Caps every memory of this thread (see iface.md `setMemoryLimit`). */
export function setMemoryLimit(bytes: number | undefined, onExceeded?: () => void): void {
  memoryLimitBytes = bytes;
  onMemoryLimitExceeded = onExceeded;
}

/** The host's own WebAssembly.Memory, used only as a growable buffer (see MemoryStore). */
interface HostMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}
type HostMemoryConstructor = new (desc: { initial: number; maximum?: number }) => HostMemory;
const HostMemory = (globalThis as unknown as { WebAssembly?: { Memory?: HostMemoryConstructor } })
  .WebAssembly?.Memory;

/** Memories larger than this are read through WideView (see there). */
const SIGNED_ADDRESS_LIMIT = 2 ** 31;

/**
 * The view of a memory larger than 2 GiB. Generated code passes an access without offset its
 * i32 address as a signed int32 (V8 compiles that tighter than `a>>>0`), so an address at or
 * above 2 GiB arrives negative: here it is read as unsigned before the DataView access. Other
 * addresses (with an offset added, possibly past 2^32) are non-negative and pass as they are.
 */
const DataViewClass = DataView as new (buffer: ArrayBuffer) => DataView;
class WideView extends DataViewClass {
  override getInt8(a: number): number {
    return super.getInt8(a < 0 ? a + 4294967296 : a);
  }
  override getUint8(a: number): number {
    return super.getUint8(a < 0 ? a + 4294967296 : a);
  }
  override getInt16(a: number, le?: boolean): number {
    return super.getInt16(a < 0 ? a + 4294967296 : a, le);
  }
  override getUint16(a: number, le?: boolean): number {
    return super.getUint16(a < 0 ? a + 4294967296 : a, le);
  }
  override getInt32(a: number, le?: boolean): number {
    return super.getInt32(a < 0 ? a + 4294967296 : a, le);
  }
  override getUint32(a: number, le?: boolean): number {
    return super.getUint32(a < 0 ? a + 4294967296 : a, le);
  }
  override getFloat32(a: number, le?: boolean): number {
    return super.getFloat32(a < 0 ? a + 4294967296 : a, le);
  }
  override getFloat64(a: number, le?: boolean): number {
    return super.getFloat64(a < 0 ? a + 4294967296 : a, le);
  }
  override setInt8(a: number, v: number): void {
    super.setInt8(a < 0 ? a + 4294967296 : a, v);
  }
  override setUint8(a: number, v: number): void {
    super.setUint8(a < 0 ? a + 4294967296 : a, v);
  }
  override setInt16(a: number, v: number, le?: boolean): void {
    super.setInt16(a < 0 ? a + 4294967296 : a, v, le);
  }
  override setUint16(a: number, v: number, le?: boolean): void {
    super.setUint16(a < 0 ? a + 4294967296 : a, v, le);
  }
  override setInt32(a: number, v: number, le?: boolean): void {
    super.setInt32(a < 0 ? a + 4294967296 : a, v, le);
  }
  override setUint32(a: number, v: number, le?: boolean): void {
    super.setUint32(a < 0 ? a + 4294967296 : a, v, le);
  }
  override setFloat32(a: number, v: number, le?: boolean): void {
    super.setFloat32(a < 0 ? a + 4294967296 : a, v, le);
  }
  override setFloat64(a: number, v: number, le?: boolean): void {
    super.setFloat64(a < 0 ? a + 4294967296 : a, v, le);
  }
}

/** The view generated code reads and writes a buffer through. */
const viewOf = (buffer: ArrayBuffer): DataView =>
  buffer.byteLength > SIGNED_ADDRESS_LIMIT ? new WideView(buffer) : new DataView(buffer);

/**
 * A linear memory: a plain (fixed-length) ArrayBuffer, replaced and the old one detached on
 * every grow. Where the host has WebAssembly.Memory, its buffers provide the storage: they
 * grow in place (reserved address space), where copying into a new ArrayBuffer on each grow
 * costs O(size) per page and made malloc-heavy programs quadratic (200 MB grown page by page:
 * 330 GB copied). Generated code only ever sees the ArrayBuffer through a DataView.
 */
export class MemoryStore {
  buffer: ArrayBuffer;
  dv: DataView;
  u8: Uint8Array;
  pages: number;
  /** The JS API object wrapping this memory, once one exists. */
  js: object | undefined = undefined;
  private readonly host: HostMemory | undefined;
  /** Called once each at the next grow: generated code that bound the view (see onNextGrow). */
  private growWatchers: (() => void)[] = [];

  constructor(
    initial: number,
    readonly max: number | undefined,
  ) {
    if (memoryLimitBytes !== undefined && initial * PAGE_SIZE > memoryLimitBytes) {
      onMemoryLimitExceeded?.();
      throw new RangeError('memory limit exceeded');
    }
    this.host =
      HostMemory !== undefined
        ? new HostMemory(max === undefined ? { initial } : { initial, maximum: max })
        : undefined;
    this.buffer = this.host?.buffer ?? new ArrayBuffer(initial * PAGE_SIZE);
    this.dv = viewOf(this.buffer);
    this.u8 = new Uint8Array(this.buffer);
    this.pages = initial;
  }

  /** Grows by `delta` pages; returns the old size in pages, or -1 on failure. */
  grow(delta: number): number {
    delta = delta >>> 0;
    const old = this.pages;
    const limit = this.max ?? MAX_PAGES;
    if (old + delta > limit) return -1;
    const bytes = (old + delta) * PAGE_SIZE;
    if (memoryLimitBytes !== undefined && bytes > memoryLimitBytes) {
      onMemoryLimitExceeded?.();
      return -1;
    }
    let next: ArrayBuffer;
    if (this.host !== undefined) {
      try {
        this.host.grow(delta); // detaches the old buffer itself
      } catch {
        return -1;
      }
      next = this.host.buffer;
    } else {
      try {
        next = new ArrayBuffer(bytes);
      } catch {
        return -1;
      }
      const oldBuffer = this.buffer;
      new Uint8Array(next).set(this.u8);
      // Detach the old buffer, as the JS API requires after grow.
      structuredClone(oldBuffer, { transfer: [oldBuffer] });
    }
    this.buffer = next;
    this.dv = viewOf(next);
    this.u8 = new Uint8Array(next);
    this.pages = old + delta;
    const watchers = this.growWatchers;
    if (watchers.length > 0) {
      this.growWatchers = [];
      for (const w of watchers) w();
    }
    return old;
  }

  /**
   * Registers `w` to be called at the next grow (after the new view is in place). Generated
   * functions that bind the view clear a flag of their own with it, so their entry check is a
   * test of a variable: an entry check reading `dv` needs V8 type feedback, which a function's
   * first call records none of (V8 allocates it later), and optimized code compiled before a
   * second call deoptimized on it.
   */
  onNextGrow(w: () => void): void {
    this.growWatchers.push(w);
  }
}

/** A table: funcref elements are FuncRef objects, externref elements any JS value; null is null. */
export class TableStore {
  /** The JS API object wrapping this table, once one exists. */
  js: object | undefined = undefined;
  elems: unknown[];

  constructor(
    readonly type: typeof ValType.funcref | typeof ValType.externref,
    initial: number,
    readonly max: number | undefined,
    init: unknown = null,
  ) {
    this.elems = new Array(initial).fill(init);
  }

  /** Grows by `delta` entries filled with `init`; returns the old size, or -1 on failure. */
  grow(delta: number, init: unknown): number {
    delta = delta >>> 0;
    const old = this.elems.length;
    if (old + delta > (this.max ?? 0xffffffff) || old + delta > MAX_TABLE_SIZE) return -1;
    for (let i = 0; i < delta; i++) this.elems.push(init);
    return old;
  }
}

/**
 * A global's storage. i32/f32/f64 and references use `v`; i64 uses `v` (low half) and `h`
 * (high half); v128 uses `v`, `h`, `x`, `y` (four i32 lanes, lowest first).
 */
export class GlobalCell {
  v: unknown = 0;
  h = 0;
  x = 0;
  y = 0;
  js: object | undefined = undefined;
  constructor(
    readonly type: ValType,
    readonly mutable: boolean,
  ) {
    if (type === ValType.funcref || type === ValType.externref) this.v = null;
  }
}

const typeIds = new Map<string, number>();

export function typeKey(t: FuncType): string {
  return `${t.params.join(',')}>${t.results.join(',')}`;
}

/** Function types interned to small integers: structurally equal types share one id. */
export function typeId(t: FuncType): number {
  const key = typeKey(t);
  let id = typeIds.get(key);
  if (id === undefined) {
    id = typeIds.size + 1;
    typeIds.set(key, id);
  }
  return id;
}

/** An internal-ABI callable: i64 as (low, high), v128 as four i32 lanes, extra results in X. */
export type InternalFunction = (...args: never[]) => unknown;

/** A function reference: what funcref tables and values hold. */
export class FuncRef {
  /** The exported JS function wrapping this reference, created on first need. */
  js: ((...args: unknown[]) => unknown) | undefined = undefined;
  /** Function arrays of importing instances holding `f`, updated when `f` is generated. */
  callers: [InternalFunction[], number][] = [];
  /** The generated function, once a lazily compiled function has been generated. */
  generated: InternalFunction | undefined = undefined;
  constructor(
    readonly type: FuncType,
    readonly typeId: number,
    public f: InternalFunction,
    readonly name: string,
  ) {}
}
