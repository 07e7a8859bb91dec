// The decoded form of a Wasm module: what the binary decoder produces and what the validator
// and the code generator consume. Function bodies and constant expressions are kept as byte
// ranges of `bytes` (not pre-decoded instruction lists): the validator walks every body once
// at compile time, the code generator walks a body again on that function's first call.
// All offsets are absolute byte offsets into `bytes`, so errors can name them.

/** Value types, by their binary encoding. */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
} as const;
export type ValType = (typeof ValType)[keyof typeof ValType];
export type RefType = typeof ValType.funcref | typeof ValType.externref;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  min: number;
  max: number | undefined;
}

export interface TableType {
  elemType: RefType;
  limits: Limits;
}

export interface MemoryType {
  limits: Limits;
}

export interface GlobalType {
  valType: ValType;
  mutable: boolean;
}

/** Kinds of imports and exports, named as the JS API names them. */
export type ExternKind = 'function' | 'table' | 'memory' | 'global';

export type ImportDesc =
  | { kind: 'function'; typeIndex: number }
  | { kind: 'table'; type: TableType }
  | { kind: 'memory'; type: MemoryType }
  | { kind: 'global'; type: GlobalType };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

/** A constant expression: bytes [start, end) of the module, `end` just past its `end` opcode. */
export interface ConstExpr {
  start: number;
  end: number;
}

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export type ElemMode =
  | { kind: 'passive' }
  | { kind: 'declarative' }
  | { kind: 'active'; table: number; offset: ConstExpr };

/** Element segment items: a vector of function indices (flags 0-3) or of expressions (4-7). */
export type ElemItems =
  { kind: 'functions'; indices: number[] } | { kind: 'exprs'; exprs: ConstExpr[] };

export interface ElemSegment {
  type: RefType;
  mode: ElemMode;
  items: ElemItems;
}

export type DataMode = { kind: 'passive' } | { kind: 'active'; memory: number; offset: ConstExpr };

export interface DataSegment {
  mode: DataMode;
  /** The segment's bytes are bytes [start, end) of the module. */
  start: number;
  end: number;
}

export interface LocalGroup {
  count: number;
  type: ValType;
}

export interface FunctionBody {
  /** Read-only: bodies with the same declarations may share one array. */
  locals: readonly LocalGroup[];
  /** Bytes [start, end) are the body's instructions; `end` is just past the final `end` opcode. */
  start: number;
  end: number;
}

export interface CustomSection {
  name: string;
  /** The section's payload (after its name) is bytes [start, end) of the module. */
  start: number;
  end: number;
}

/** The custom `name` section, when present and well formed. */
export interface Names {
  module: string | undefined;
  functions: Map<number, string>;
  locals: Map<number, Map<number, string>>;
}

export interface WasmModule {
  bytes: Uint8Array;
  types: FuncType[];
  imports: Import[];
  /** Type index of each function defined in the module (imported functions excluded). */
  funcs: Uint32Array | number[];
  /** Tables, memories and globals defined in the module (imports excluded). */
  tables: TableType[];
  memories: MemoryType[];
  globals: Global[];
  exports: Export[];
  start: number | undefined;
  elems: ElemSegment[];
  datas: DataSegment[];
  /** From the data count section, when present. */
  dataCount: number | undefined;
  codes: FunctionBody[];
  customs: CustomSection[];
  names: Names;
}
