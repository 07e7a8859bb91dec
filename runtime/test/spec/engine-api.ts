// The slice of the JS `WebAssembly` namespace the spec runner drives, typed here because the
// project compiles without the DOM lib. Any object of this shape can be tested: Node's built-in
// `WebAssembly` (V8) or tswasm's `runtime/index.ts`. `loadEngine` picks one by name.
import * as fs from 'fs';
import * as path from 'path';

export interface WasmExports {
  readonly [name: string]: unknown;
}

export interface WasmInstance {
  readonly exports: WasmExports;
}

export interface WasmGlobal {
  value: unknown;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}

export type ValueTypeName = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'externref' | 'anyfunc';

/** A WebAssembly-compatible API object, as passed to the runner. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, importObject?: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Table: new (descriptor: {
    element: 'anyfunc' | 'externref';
    initial: number;
    maximum?: number;
  }) => object;
  Global: new (
    descriptor: { value: ValueTypeName; mutable?: boolean },
    value?: unknown,
  ) => WasmGlobal;
  CompileError: new (message?: string) => Error;
  LinkError: new (message?: string) => Error;
  RuntimeError: new (message?: string) => Error;
  validate(bytes: Uint8Array): boolean;
}

export type EngineName = 'v8' | 'tswasm';

/** Node's own `WebAssembly` object (V8). */
export function v8Engine(): WasmApi {
  return (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
}

/** Where the compiled tswasm engine would be: dist/runtime/index.js. */
function tswasmEntry(): string {
  // this file compiles to dist/runtime/test/spec/engine-api.js
  return path.resolve(__dirname, '..', '..', 'index.js');
}

/** Whether tswasm's engine has been built (runtime/index.ts exists and was compiled). */
export function tswasmBuilt(): boolean {
  return fs.existsSync(tswasmEntry());
}

/** tswasm's engine, or undefined while runtime/index.ts does not exist yet. */
export function tswasmEngine(): WasmApi | undefined {
  const entry = tswasmEntry();
  if (!fs.existsSync(entry)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(entry) as { WebAssembly?: WasmApi };
  return loaded.WebAssembly;
}

export function loadEngine(name: EngineName): WasmApi {
  if (name === 'v8') return v8Engine();
  const engine = tswasmEngine();
  if (!engine) throw new Error(`tswasm engine not available (${tswasmEntry()} is missing)`);
  return engine;
}
