// The Wasm engine the worker runs modules on, behind one small interface: the JS WebAssembly
// API plus tswasm's per-thread extras (interrupt flag for pause/stop, memory limit).
// Until tswasm's engine (runtime/index.ts) lands, V8's built-in WebAssembly stands in; it has
// no interrupt flag, so a busy module is stopped with worker.terminate() instead.

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

export interface Engine {
  name: 'tswasm' | 'v8';
  WebAssembly: WasmApi;
  /** True when setInterruptFlag works: pause/resume and prompt stop need it. */
  interruptible: boolean;
  setInterruptFlag(flag: Int32Array | undefined): void;
  setMemoryLimit(bytes: number | undefined, onExceeded?: () => void): void;
  /** The error the engine throws when the interrupt flag says stop. */
  isInterrupted(err: unknown): boolean;
}

export const v8Engine: Engine = {
  name: 'v8',
  WebAssembly: (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly,
  interruptible: false,
  setInterruptFlag: () => {},
  setMemoryLimit: () => {},
  isInterrupted: () => false,
};

export function selectEngine(): Engine {
  return v8Engine;
}
