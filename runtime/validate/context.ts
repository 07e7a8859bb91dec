// The validation context C of the spec: every index space of the module (imports first) and
// the set of function references declared outside function bodies (C.refs), plus helpers to
// name types and functions in error messages.
import { FuncType, GlobalType, RefType, TableType, ValType, WasmModule } from '../model';
import { ValidationError } from './errors';

export interface ModuleContext {
  readonly module: WasmModule;
  readonly types: readonly FuncType[];
  /** Type of every function, imports first. */
  readonly funcs: readonly FuncType[];
  readonly tables: readonly TableType[];
  readonly memoryCount: number;
  readonly globals: readonly GlobalType[];
  /** Constant expressions see only the imported globals (Wasm 2.0). */
  readonly importedGlobalCount: number;
  readonly elemTypes: readonly RefType[];
  /** Number of data segments announced by the data count section; undefined when absent. */
  readonly dataCount: number | undefined;
  /** C.refs: 1 for each function index referenced outside function bodies. */
  readonly refs: Uint8Array;
}

const typeNames: Record<number, string> = {
  [ValType.i32]: 'i32',
  [ValType.i64]: 'i64',
  [ValType.f32]: 'f32',
  [ValType.f64]: 'f64',
  [ValType.v128]: 'v128',
  [ValType.funcref]: 'funcref',
  [ValType.externref]: 'externref',
};

/** The text-format name of a value type; 0 (the unknown type of unreachable code) is "any". */
export function typeName(t: number): string {
  return typeNames[t] ?? 'any';
}

export function typeListName(types: readonly number[]): string {
  return `[${types.map(typeName).join(' ')}]`;
}

export function isRefType(t: number): boolean {
  return t === ValType.funcref || t === ValType.externref;
}

/** Throws a ValidationError located in function `funcIndex`, named when the name is known. */
export function failInFunction(
  ctx: ModuleContext,
  funcIndex: number,
  offset: number,
  reason: string,
  instruction?: string,
): never {
  throw new ValidationError(
    reason,
    offset,
    funcIndex,
    undefined,
    ctx.module.names.functions.get(funcIndex),
    instruction,
  );
}
