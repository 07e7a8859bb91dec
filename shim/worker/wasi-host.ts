// The WASI preview1 implementation the worker gives a module: tswasm's (wasi/index.ts), which
// runs over either engine.
import { WASI } from '../../wasi';
import type { WasmInstance } from './engine';

export interface WasiOptions {
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  stdin: number;
  stdout: number;
  stderr: number;
}

export interface WasiHost {
  wasiImport: Record<string, (...args: never[]) => unknown>;
  start(instance: WasmInstance): number;
}

export function createWasi(options: WasiOptions): WasiHost {
  return new WASI(options) as unknown as WasiHost;
}
