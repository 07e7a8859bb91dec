// The two engines a worker can run modules on (see engine.ts): tswasm's and V8's built-in.
import * as tswasm from '../../runtime';
import { Engine, EngineName, WasmApi } from './engine';

const tswasmEngine: Engine = {
  name: 'tswasm',
  WebAssembly: tswasm.WebAssembly as unknown as WasmApi,
  limitsMemory: true,
  setMemoryLimit: tswasm.setMemoryLimit,
};

const v8Engine: Engine = {
  name: 'v8',
  WebAssembly: (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly,
  limitsMemory: false,
  setMemoryLimit: () => {},
};

export function loadEngine(name: EngineName): Engine {
  return name === 'v8' ? v8Engine : tswasmEngine;
}
