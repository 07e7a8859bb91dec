// Test-only: builds a WasmModule model directly (no binary decoding), with function bodies and
// constant expressions given as instruction bytes, so validator tests state exactly the
// instructions they check.
import {
  DataSegment,
  ElemSegment,
  Export,
  FuncType,
  Global,
  GlobalType,
  Import,
  LocalGroup,
  MemoryType,
  TableType,
  ValType,
  WasmModule,
} from '../../model';

export const i32 = ValType.i32;
export const i64 = ValType.i64;
export const f32 = ValType.f32;
export const f64 = ValType.f64;
export const v128 = ValType.v128;
export const funcref = ValType.funcref;
export const externref = ValType.externref;

export interface FuncSpec {
  type: number;
  locals?: LocalGroup[];
  /** Instruction bytes; the final `end` (0x0b) is appended. */
  body: number[];
}

export interface GlobalSpec {
  type: GlobalType;
  /** Constant expression bytes; the final `end` is appended. */
  init: number[];
}

export type ElemSpec = Omit<ElemSegment, 'mode' | 'items'> & {
  mode:
    | { kind: 'passive' }
    | { kind: 'declarative' }
    | { kind: 'active'; table: number; offset: number[] };
  items: { kind: 'functions'; indices: number[] } | { kind: 'exprs'; exprs: number[][] };
};

export interface DataSpec {
  mode: { kind: 'passive' } | { kind: 'active'; memory: number; offset: number[] };
}

export interface ModuleSpec {
  types?: FuncType[];
  imports?: Import[];
  funcs?: FuncSpec[];
  tables?: TableType[];
  memories?: MemoryType[];
  globals?: GlobalSpec[];
  exports?: Export[];
  start?: number;
  elems?: ElemSpec[];
  datas?: DataSpec[];
  dataCount?: number;
  functionNames?: [number, string][];
}

/** Where a function's body starts in the built module's bytes (to check error offsets). */
export interface Built {
  module: WasmModule;
  bodyStarts: number[];
}

export function build(spec: ModuleSpec): Built {
  const bytes: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const place = (code: number[]): { start: number; end: number } => {
    const start = bytes.length;
    bytes.push(...code, 0x0b);
    return { start, end: bytes.length };
  };
  const bodyStarts: number[] = [];
  const codes = (spec.funcs ?? []).map((f) => {
    const range = place(f.body);
    bodyStarts.push(range.start);
    return { locals: f.locals ?? [], ...range };
  });
  const globals: Global[] = (spec.globals ?? []).map((g) => ({
    type: g.type,
    init: place(g.init),
  }));
  const elems: ElemSegment[] = (spec.elems ?? []).map((e) => ({
    type: e.type,
    mode:
      e.mode.kind === 'active'
        ? { kind: 'active', table: e.mode.table, offset: place(e.mode.offset) }
        : e.mode,
    items:
      e.items.kind === 'functions' ? e.items : { kind: 'exprs', exprs: e.items.exprs.map(place) },
  }));
  const datas: DataSegment[] = (spec.datas ?? []).map((d) => ({
    mode:
      d.mode.kind === 'active'
        ? { kind: 'active', memory: d.mode.memory, offset: place(d.mode.offset) }
        : d.mode,
    start: 0,
    end: 0,
  }));
  const module: WasmModule = {
    bytes: Uint8Array.from(bytes),
    types: spec.types ?? [],
    imports: spec.imports ?? [],
    funcs: (spec.funcs ?? []).map((f) => f.type),
    tables: spec.tables ?? [],
    memories: spec.memories ?? [],
    globals,
    exports: spec.exports ?? [],
    start: spec.start,
    elems,
    datas,
    dataCount: spec.dataCount,
    codes,
    customs: [],
    names: { module: undefined, functions: new Map(spec.functionNames ?? []), locals: new Map() },
  };
  return { module, bodyStarts };
}

/** A module with the one function type `type` and one function of that type. */
export function oneFunction(
  type: FuncType,
  body: number[],
  extra: Omit<ModuleSpec, 'types' | 'funcs'> & { locals?: LocalGroup[] } = {},
): Built {
  const { locals, ...rest } = extra;
  return build({ types: [type], funcs: [{ type: 0, locals, body }], ...rest });
}

/** Unsigned LEB128 of a 32-bit value. */
export function leb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}
