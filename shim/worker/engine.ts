// The Wasm engine the worker runs modules on, behind one small interface: the JS WebAssembly
// API plus tswasm's per-thread extras (interrupt flag for pause/stop, memory limit).
// tswasm's own engine (runtime/) by default; TSWASM_ENGINE=v8 in containerd's environment
// runs on V8's built-in WebAssembly instead (no interrupt flag: a busy module is stopped
// with worker.terminate(), pause is refused, the memory limit is checked at WASI calls).
// The implementations live in engines.ts, loaded by the worker only.

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
  /** True when setInterruptFlag works: pause/resume and prompt stop need it. */
  interruptible: boolean;
  setInterruptFlag(flag: Int32Array | undefined): void;
  setMemoryLimit(bytes: number | undefined, onExceeded?: () => void): void;
  /** The error the engine throws when the interrupt flag says stop. */
  isInterrupted(err: unknown): boolean;
}

export function engineName(env: NodeJS.ProcessEnv = process.env): EngineName {
  return env.TSWASM_ENGINE === 'v8' ? 'v8' : 'tswasm';
}

/** Whether the named engine honours the interrupt flag (known without loading it). */
export function isInterruptible(name: EngineName): boolean {
  return name === 'tswasm';
}
