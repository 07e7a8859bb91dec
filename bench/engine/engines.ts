// The engines a benchmark compares, all behind the JS `WebAssembly` API shape: Node's built-in
// WebAssembly (V8), the npm package polywasm (Wasm→JS in JS), and tswasm (runtime/index.ts),
// the last only when it has been built.
import * as fs from 'fs';
import * as path from 'path';

export interface BenchInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

/** The part of a WebAssembly-compatible API the benchmarks use. */
export interface BenchApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, importObject?: object) => BenchInstance;
}

export interface Engine {
  name: 'v8' | 'polywasm' | 'tswasm';
  api: BenchApi;
}

function tswasmApi(): BenchApi | undefined {
  // this file compiles to dist/bench/engine/engines.js; the engine to dist/runtime/index.js
  const entry = path.resolve(__dirname, '..', '..', 'runtime', 'index.js');
  if (!fs.existsSync(entry)) return undefined;
  return (require(entry) as { WebAssembly?: BenchApi }).WebAssembly;
}

/** The engines available in this build; tswasm is missing until runtime/index.ts exists. */
export function engines(): Engine[] {
  const list: Engine[] = [
    { name: 'v8', api: (globalThis as unknown as { WebAssembly: BenchApi }).WebAssembly },
    // polywasm is an ES module; Node 20.19+ loads it with require()
    { name: 'polywasm', api: (require('polywasm') as { WebAssembly: BenchApi }).WebAssembly },
  ];
  const tswasm = tswasmApi();
  if (tswasm) list.push({ name: 'tswasm', api: tswasm });
  return list;
}

/**
 * Compiles and instantiates `bytes` on an engine. Each engine gets its own copy of the bytes
 * (polywasm keeps and may modify the buffer it is given).
 */
export function instantiate(
  engine: Engine,
  bytes: Uint8Array,
  importObject?: object,
): BenchInstance {
  const module = new engine.api.Module(new Uint8Array(bytes));
  return new engine.api.Instance(module, importObject ?? {});
}
