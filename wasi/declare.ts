// The shape every WASI import is declared in: its name, parameter names (types come from
// spec.ts) and an implementation that returns an errno. index.ts wraps each one once.
import type { WasiContext } from './context';

export interface WasiFunction {
  readonly name: string;
  /** Parameter names, for traces and error messages; their Wasm types are in functionSignatures. */
  readonly params: readonly string[];
  /** Returns an errno (0 on success); may throw WasiError or a Node error (mapped to errno). */
  readonly impl: (ctx: WasiContext, ...args: never[]) => number;
}

export function declare<P extends unknown[]>(
  name: string,
  params: readonly string[],
  impl: (ctx: WasiContext, ...args: P) => number,
): WasiFunction {
  return { name, params, impl: impl as unknown as WasiFunction['impl'] };
}
