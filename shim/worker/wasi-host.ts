// The WASI preview1 implementation the worker gives a module, behind the shape of contract 2
// (Node's node:wasi shape). Node's own WASI stands in until tswasm's wasi/index.ts lands.
import { WASI as NodeWASI } from 'node:wasi';
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
  const wasi = new NodeWASI({ version: 'preview1', returnOnExit: true, ...options });
  return wasi as unknown as WasiHost;
}
