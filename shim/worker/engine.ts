// The Wasm engine the worker runs modules on, behind one small interface: the JS WebAssembly
// API plus tswasm's per-thread memory limit. tswasm's own engine (runtime/) by default;
// TSWASM_ENGINE=v8 in containerd's environment runs on V8's built-in WebAssembly instead (the
// memory limit is then checked at WASI calls). Pause and stop work the same on both: V8's
// debugger and worker.terminate(), so the shim never installs tswasm's interrupt flag (its
// generated code would poll it). The implementations live in engines.ts, loaded by the
// worker only.

/** A Wasm instance's exports, as far as the worker looks at them. */
export interface WasmInstance {
  exports: Record<string, unknown>;
}

/** The part of the JS WebAssembly API the worker uses (the built-in one or tswasm's). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: abstract new (...args: never[]) => { readonly buffer: ArrayBuffer };
  RuntimeError: abstract new (...args: never[]) => Error;
}

export type EngineName = 'tswasm' | 'v8';

export interface Engine {
  name: EngineName;
  WebAssembly: WasmApi;
  /** True when setMemoryLimit works (the engine checks every memory grow itself). */
  limitsMemory: boolean;
  /**
   * Caps this thread's linear memories; `onExceeded` runs where a grow or an instantiation
   * goes past the cap (it may throw to unwind the module).
   */
  setMemoryLimit(bytes: number | undefined, onExceeded?: () => void): void;
}

export function engineName(env: NodeJS.ProcessEnv = process.env): EngineName {
  return env.TSWASM_ENGINE === 'v8' ? 'v8' : 'tswasm';
}
